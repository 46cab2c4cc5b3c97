package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
)

// 200 writers submit at once to the embedded default (`serve` with its
// in-process Redis and SQLite). Nothing is lost, no database-busy error
// reaches anyone (response or log), and /healthz answers 200 all along.
// The submissions' latency is logged, not asserted: it depends on the
// machine.
func TestServeUnderConcurrentSubmissions(t *testing.T) {
	if testing.Short() {
		t.Skip("starts serve and submits 200 items")
	}
	const n = 200
	bin := buildBinary(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "serve", "--brands", filepath.Join(testenv.RepoRoot(t), "examples"), "--addr", addr)
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "REDIS_URL=", "DATABASE_URL=")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var logMu sync.Mutex
	var log []string
	tokens := make(chan string, 1)
	tokenRE := regexp.MustCompile(envToken + `=(cc_[a-z0-9]+)`)
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			logMu.Lock()
			log = append(log, sc.Text())
			logMu.Unlock()
			if m := tokenRE.FindStringSubmatch(sc.Text()); m != nil {
				tokens <- m[1]
			}
		}
	}()
	var token string
	select {
	case token = <-tokens:
	case <-time.After(60 * time.Second):
		t.Fatal("no first-run token")
	}
	base := "http://" + addr
	pipetest.WaitFor(t, 30*time.Second, "ready", func() (bool, string) {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == 200, resp.Status
	})

	// /healthz, polled all through the load.
	stop := make(chan struct{})
	var polls, unhealthy atomic.Int32
	var worstHealth atomic.Int64
	healthDone := make(chan struct{})
	go func() {
		defer close(healthDone)
		c := &http.Client{Timeout: 10 * time.Second}
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			start := time.Now()
			resp, err := c.Get(base + "/healthz")
			d := time.Since(start)
			if d > time.Duration(worstHealth.Load()) {
				worstHealth.Store(int64(d))
			}
			polls.Add(1)
			if err != nil || resp.StatusCode != 200 {
				unhealthy.Add(1)
			}
			if err == nil {
				resp.Body.Close()
			}
		}
	}()

	photos := make([][]byte, n)
	for i := range photos {
		photos[i] = photo(i, 640, 400)
	}
	lat := make([]time.Duration, n)
	codes := make([]int, n)
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 3 * time.Minute}
	for i := range n {
		wg.Go(func() {
			md := fmt.Sprintf("---\ntitle: Load note %d\nbrand: kestrel\ntags: [load]\nhero: {src: images/photo.jpg, alt: A test photo}\n---\nNote %d, sent with %d others at once.\n\n- one\n- two\n", i, i, n-1)
			body, _ := json.Marshal(map[string]any{"markdown": md, "files": map[string][]byte{"images/photo.jpg": photos[i]}})
			req, _ := http.NewRequest("POST", base+"/api/items", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			start := time.Now()
			resp, err := client.Do(req)
			lat[i] = time.Since(start)
			if err != nil {
				t.Errorf("submission %d: %v", i, err)
				return
			}
			codes[i] = resp.StatusCode
			resp.Body.Close()
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusAccepted {
			t.Errorf("submission %d: %d", i, c)
		}
	}
	// Health was polled through the submissions and their first renders.
	close(stop)
	<-healthDone
	sorted := slices.Clone(lat)
	slices.Sort(sorted)
	t.Logf("%d concurrent submissions: p50 %v, p95 %v, max %v; /healthz %d polls, %d not 200, slowest %v",
		n, sorted[n/2].Round(time.Millisecond), sorted[n*95/100].Round(time.Millisecond), sorted[n-1].Round(time.Millisecond),
		polls.Load(), unhealthy.Load(), time.Duration(worstHealth.Load()).Round(time.Millisecond))
	if unhealthy.Load() > 0 {
		t.Errorf("/healthz was not 200 on %d of %d polls during the load", unhealthy.Load(), polls.Load())
	}

	// Nothing lost: every item is stored.
	req, _ := http.NewRequest("GET", base+"/api/items?limit=1000", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ Items []struct{ ID string } }
	json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if len(list.Items) != n {
		t.Errorf("%d items stored, want %d", len(list.Items), n)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	<-logDone
	for _, line := range log {
		if strings.Contains(line, "SQLITE_BUSY") || strings.Contains(line, "database is locked") {
			t.Errorf("the log shows a busy database: %s", line)
			break
		}
	}
}
