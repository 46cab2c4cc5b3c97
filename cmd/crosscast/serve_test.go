package main

import (
	"bufio"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
)

const pipeSecret = "serve-test-pipe-secret"

// The embedded default: `crosscast serve` with no REDIS_URL and no
// DATABASE_URL starts everything in one process, prints a first-run
// token, renders what is submitted, and stops cleanly on SIGTERM.
func TestServeEmbedded(t *testing.T) {
	bin := buildBinary(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	cmd := exec.Command(bin, "serve", "--brands", filepath.Join(testenv.RepoRoot(t), "examples"), "--addr", addr, "--workers", "2")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "REDIS_URL=", "DATABASE_URL=", "CROSSCAST_BOUNCE_PIPE_SECRET="+pipeSecret)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	tokenRE := regexp.MustCompile(envToken + `=(cc_[a-z0-9]+)`)
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var token string
	var log []string
	for token == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("serve exited:\n%s", strings.Join(log, "\n"))
			}
			log = append(log, line)
			if m := tokenRE.FindStringSubmatch(line); m != nil {
				token = m[1]
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("no first-run token:\n%s", strings.Join(log, "\n"))
		}
	}
	go func() {
		for range lines {
		}
	}()
	if !strings.Contains(strings.Join(log, "\n"), "in-process Redis") {
		t.Errorf("the log does not say Redis is in-process:\n%s", strings.Join(log, "\n"))
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "crosscast.db")); err != nil {
		t.Errorf("no ./data/crosscast.db: %v", err)
	}
	base := "http://" + addr
	pipetest.WaitFor(t, 20*time.Second, "ready", func() (bool, string) {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == 200, resp.Status
	})
	// The bounce pipe is mounted: a mail server with the secret is
	// heard (an auto-reply is taken and ignored), one without is not.
	for secret, want := range map[string]int{pipeSecret: 200, "not-the-pipe-secret": 401} {
		req, _ := http.NewRequest("POST", base+"/bounces/pipe", strings.NewReader("Subject: away\r\n\r\nOut of office.\r\n"))
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("POST /bounces/pipe with secret %q: %s, want %d", secret, resp.Status, want)
		}
	}
	t.Setenv(envToken, token)
	item := filepath.Join(testenv.RepoRoot(t), "examples", "kestrel", "items", "holiday-hours.md")
	if code, out, errs := run(t, "submit", item, "--server", base, "--wait"); code != 0 {
		t.Fatalf("submit: %d\n%s\n%s", code, out, errs)
	}
	req, _ := http.NewRequest("GET", base+"/api/items?status=rendered", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ Items []struct{ ID string } }
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if len(list.Items) != 1 {
		t.Fatalf("rendered items: %+v", list)
	}
	// The item's brand index and feeds follow.
	get := func(path string) (int, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		var b strings.Builder
		bufio.NewReader(resp.Body).WriteTo(&b)
		return resp.StatusCode, b.String()
	}
	pipetest.WaitFor(t, 20*time.Second, "the kestrel index", func() (bool, string) {
		code, body := get("/api/brands/kestrel/index")
		return code == 200 && strings.Contains(body, `"built_through": 1`), body
	})
	if code, feed := get("/api/brands/kestrel/index/feed.json"); code != 200 || !strings.Contains(feed, "Holiday opening hours") {
		t.Errorf("feed.json: %d %.300s", code, feed)
	}
	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var metrics strings.Builder
	bufio.NewReader(resp.Body).WriteTo(&metrics)
	resp.Body.Close()
	for _, want := range []string{`crosscast_renders_total{channel="portal",status="rendered"} 1`, `asynq_tasks_processed_today_total{queue="critical"}`, "crosscast_render_duration_seconds_bucket"} {
		if !strings.Contains(metrics.String(), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, _ = noFollow.Get(base + "/admin/queues/")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("the queue monitor signed out: %s, to %q (want the login page)", resp.Status, resp.Header.Get("Location"))
	}
	resp.Body.Close()
	req, _ = http.NewRequest("GET", base+"/admin/queues/", nil)
	req.SetBasicAuth("admin", token)
	if resp, err = http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("the queue monitor with the admin token: %v %v", resp.Status, err)
	}
	resp.Body.Close()

	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve exited with %v after SIGTERM", err)
		}
	case <-time.After(40 * time.Second):
		t.Error("serve did not stop within 40s of SIGTERM")
	}
}
