package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The bad-input corpus: every generated case (corpus_cases_test.go) runs
// the real binary, `crosscast render ITEM --brand kestrel -o out`, in a
// folder of its own, and must behave as a user expects of hostile or odd
// input: exit 0 or 1 (never a panic, a signal or a hang), on exit 1 a
// positioned diagnostic naming the case's file and nothing written, a
// rejection in well under a second of work, a success in under two, and
// under 1 GiB of memory throughout.
const (
	corpusTimeout    = 60 * time.Second // wall backstop; the load on a shared machine stretches wall time
	corpusCPUCap     = 3 * time.Second  // a case using more CPU is killed and fails
	corpusStall      = 3 * time.Second  // a case using no CPU for this long is hung: killed, fails
	corpusParallel   = 2                // cases at once: the machine is shared
	corpusRejectCost = 250 * time.Millisecond
	corpusRenderCost = 2 * time.Second
	corpusMaxRSS     = 1 << 30
)

// rejectLimit is a rejection's CPU budget beyond start-up on this
// machine: corpusRejectCost, or five trivial rejections' start-up where
// that is more, so a slower or busier machine (CPU time stretches on a
// loaded 2-core VM) is not failed for a case that costs what it did.
func rejectLimit(startup time.Duration) time.Duration {
	return max(corpusRejectCost, 5*startup)
}

type corpusResult struct {
	c        *corpusCase
	code     int    // exit status; -1 when killed by a signal
	signal   string // the signal that ended it, if any
	killed   string // why the harness killed it (timeout, memory)
	wall     time.Duration
	cpu      time.Duration // user + sys of the child
	rss      int64         // rusage Maxrss, bytes: an upper bound (see watch)
	hwm      int64         // the child's own peak resident set (VmHWM), sampled
	stderr   string
	failures []string
}

func TestBadInputCorpus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the corpus uses FIFOs, /dev/zero and /proc: Linux only")
	}
	if testing.Short() {
		t.Skip("the corpus runs ~300 processes")
	}
	bin := buildBinary(t)
	kit := readKit(t, "../../../examples/kestrel")
	cases := corpusCases(kit)

	base := startupCost(t, bin, kit)
	t.Logf("start-up (median of 5 trivial rejections): cpu %v, wall %v", base.cpu.Round(time.Millisecond), base.wall.Round(time.Millisecond))

	var mu sync.Mutex
	var results []*corpusResult
	sem := make(chan struct{}, corpusParallel)
	t.Run("case", func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.class+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				var r *corpusResult
				if d, ok := t.Deadline(); ok && time.Until(d) < 90*time.Second {
					// Leave time for the summary rather than be killed.
					r = &corpusResult{c: c, code: -1, failures: []string{"not run: the test's -timeout is nearly up"}}
				} else {
					r = runCase(t, bin, kit, c)
				}
				<-sem
				judge(r, base)
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
				for _, f := range r.failures {
					t.Errorf("%s/%s: %s", c.class, c.name, f)
				}
				if len(r.failures) > 0 {
					t.Logf("%s/%s: %s", c.class, c.name, r.observed())
				}
			})
		}
	})
	summarise(t, cases, results, base)
}

// observed is one line of what the case did, for the report.
func (r *corpusResult) observed() string {
	first, _, _ := strings.Cut(strings.TrimSpace(r.stderr), "\n")
	if len(first) > 300 {
		first = first[:300] + "…"
	}
	how := fmt.Sprintf("exit %d", r.code)
	if r.signal != "" {
		how = "signal " + r.signal
	}
	if r.killed != "" {
		how += " (killed: " + r.killed + ")"
	}
	return fmt.Sprintf("%s, wall %v, cpu %v, peak RSS %d MiB (Maxrss %d MiB), stderr: %q", how, r.wall.Round(time.Millisecond), r.cpu.Round(time.Millisecond), r.hwm>>20, r.rss>>20, first)
}

type cost struct{ cpu, wall time.Duration }

// startupCost is the median cost of a trivial rejection (a file without
// front matter): what every case pays before doing any work of its own.
func startupCost(t *testing.T, bin string, kit map[string][]byte) cost {
	c := &corpusCase{class: "startup", name: "no-front-matter", item: "item.md", file: "item.md",
		files: map[string][]byte{"item.md": []byte("no front matter\n")}}
	var cpus, walls []time.Duration
	for range 5 {
		r := runCase(t, bin, kit, c)
		if r.code != 1 {
			t.Fatalf("trivial rejection: %s", r.observed())
		}
		cpus, walls = append(cpus, r.cpu), append(walls, r.wall)
	}
	slices.Sort(cpus)
	slices.Sort(walls)
	return cost{cpus[len(cpus)/2], walls[len(walls)/2]}
}

// runCase lays out the case's folder and runs the binary on it.
func runCase(t *testing.T, bin string, kit map[string][]byte, c *corpusCase) *corpusResult {
	r := &corpusResult{c: c}
	dir := t.TempDir()
	if err := layout(dir, kit, c); err != nil {
		r.failures = append(r.failures, "setting up the case: "+err.Error())
		return r
	}
	ctx, cancel := context.WithTimeout(context.Background(), corpusTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "render", c.item, "--brand", "kestrel", "-o", "out", "-q")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CROSSCAST_CORPUS_SECRET=do-not-leak")
	cmd.WaitDelay = 2 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		r.failures = append(r.failures, "start: "+err.Error())
		return r
	}
	stopWatch := watch(cmd.Process, &r.killed, &r.hwm)
	err := cmd.Wait()
	stopWatch()
	r.wall = time.Since(start)
	if ctx.Err() != nil && r.killed == "" {
		r.killed = fmt.Sprintf("timeout after %v", corpusTimeout)
	}
	r.stderr = stderr.String()
	ps := cmd.ProcessState
	if ps == nil {
		r.failures = append(r.failures, fmt.Sprintf("no process state: %v", err))
		return r
	}
	r.code = ps.ExitCode()
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		r.signal = ws.Signal().String()
	}
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		r.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		r.rss = ru.Maxrss << 10 // KiB on Linux
	}
	r.failures = append(r.failures, checkOutput(filepath.Join(dir, "out"), r.code)...)
	return r
}

// watch kills the child when it passes a bound, so a bomb fails its case
// instead of the machine and a hang fails in seconds: resident memory
// over the limit, more than corpusCPUCap of CPU (work, whatever the load),
// or no CPU at all for corpusStall (blocked, say on a FIFO). It polls
// /proc, which is enough: growth is bounded by how fast pages fault in.
// It also samples VmHWM, the child's own peak: rusage's Maxrss includes
// the test process's peak, whose memory the child shared until exec.
func watch(p *os.Process, why *string, hwm *int64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		var lastCPU time.Duration
		lastProgress := time.Now()
		for n := 0; ; n++ {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			rss, peak := procMem(p.Pid)
			*hwm = max(*hwm, peak, rss)
			if rss > corpusMaxRSS {
				*why = fmt.Sprintf("resident memory %d MiB passed %d MiB", rss>>20, corpusMaxRSS>>20)
				p.Kill()
				return
			}
			if n%10 != 0 {
				continue
			}
			cpu, ok := procCPU(p.Pid)
			switch {
			case !ok:
			case cpu > corpusCPUCap:
				*why = fmt.Sprintf("used more than %v of CPU", corpusCPUCap)
				p.Kill()
				return
			case cpu > lastCPU:
				lastCPU, lastProgress = cpu, time.Now()
			case time.Since(lastProgress) > corpusStall:
				*why = fmt.Sprintf("hung: no CPU used for %v", corpusStall)
				p.Kill()
				return
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// procMem reads a process's resident set and its peak, in bytes.
func procMem(pid int) (rss, hwm int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, ":")
		kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
		switch k {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			hwm = kb << 10
		}
	}
	return rss, hwm
}

// procCPU reads a process's user+system time from /proc/PID/stat.
func procCPU(pid int) (time.Duration, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 || f[0] == "Z" {
		return 0, false
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100, true // USER_HZ is 100 on Linux
}

// layout writes the brand kit (perturbed as the case says), the case's
// files, and runs its setup (symlinks, FIFOs).
func layout(dir string, kit map[string][]byte, c *corpusCase) error {
	files := map[string][]byte{}
	for name, data := range kit {
		files[filepath.Join("kestrel", name)] = data
	}
	generated := map[string][]byte{}
	if c.gen != nil {
		generated = c.gen()
	}
	for name, data := range c.files {
		if data == nil {
			delete(files, name)
			continue
		}
		files[name] = data
	}
	for name, data := range generated {
		files[name] = data
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	if c.setup != nil {
		return c.setup(dir)
	}
	return nil
}

// checkOutput: a rejection leaves nothing at all; a success leaves the
// renderings, and every .eml among them is a well-formed message.
func checkOutput(out string, code int) []string {
	var files []string
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != out {
			files = append(files, p)
		}
		return nil
	})
	switch code {
	case 1:
		if len(files) > 0 {
			return []string{fmt.Sprintf("a rejection left %d entries in the output folder, e.g. %s", len(files), files[0])}
		}
	case 0:
		var problems []string
		emls := 0
		for _, p := range files {
			if strings.HasSuffix(p, ".eml") {
				emls++
				problems = append(problems, checkEML(p)...)
			}
			problems = append(problems, checkScriptFree(p)...)
		}
		if !slices.ContainsFunc(files, func(p string) bool { return strings.HasSuffix(p, filepath.Join("portal", "index.html")) }) {
			problems = append(problems, "exit 0 but no portal/index.html was written")
		}
		if emls == 0 {
			problems = append(problems, "exit 0 but no email.eml was written")
		}
		return problems
	}
	return nil
}

// The headers a rendered message may carry; anything else was injected.
var emlHeaders = map[string]bool{
	"From": true, "To": true, "Reply-To": true, "Subject": true, "Date": true, "Message-Id": true,
	"List-Id": true, "List-Unsubscribe": true, "List-Unsubscribe-Post": true, "Mime-Version": true,
	"Content-Type": true, "Content-Transfer-Encoding": true, "Content-Id": true, "Content-Disposition": true,
	"Content-Language": true, "Precedence": true, "Auto-Submitted": true, "Feedback-Id": true,
}

// checkEML asserts what a mail client would notice: no line over 998
// bytes (RFC 5322), no header but the known ones and none twice, one From
// address, no raw CR, NUL, U+0085 or U+2028 in the header, encoded words
// that do not decode to line breaks, and at most two unsubscribe targets.
func checkEML(p string) []string {
	data, err := os.ReadFile(p)
	if err != nil {
		return []string{err.Error()}
	}
	name := filepath.Base(filepath.Dir(p)) + "/" + filepath.Base(p)
	var problems []string
	for i, line := range bytes.Split(data, []byte("\n")) {
		if n := len(bytes.TrimSuffix(line, []byte("\r"))); n > 998 {
			problems = append(problems, fmt.Sprintf("%s line %d is %d bytes (limit 998)", name, i+1, n))
			break
		}
	}
	head, _, ok := bytes.Cut(data, []byte("\r\n\r\n"))
	if !ok {
		head, _, _ = bytes.Cut(data, []byte("\n\n"))
	}
	for _, bad := range []string{"\x00", "\u0085", "\u2028", "\u2029"} {
		if bytes.Contains(head, []byte(bad)) {
			problems = append(problems, fmt.Sprintf("%s header holds a raw %q", name, bad))
		}
	}
	if bytes.Contains(bytes.ReplaceAll(head, []byte("\r\n"), nil), []byte("\r")) {
		problems = append(problems, name+" header holds a bare CR")
	}
	seen := map[string]int{}
	for _, line := range strings.Split(strings.ReplaceAll(string(head), "\r\n", "\n"), "\n") {
		if line == "" || line[0] == ' ' || line[0] == '\t' {
			continue
		}
		k, _, ok := strings.Cut(line, ":")
		k = textprotoKey(k)
		if !ok || !emlHeaders[k] {
			problems = append(problems, fmt.Sprintf("%s has an unexpected header line %.80q", name, line))
			continue
		}
		if seen[k]++; seen[k] == 2 {
			problems = append(problems, fmt.Sprintf("%s has two %s headers", name, k))
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return append(problems, fmt.Sprintf("%s does not parse as a message: %v", name, err))
	}
	if from, err := mail.ParseAddressList(msg.Header.Get("From")); err != nil || len(from) != 1 {
		problems = append(problems, fmt.Sprintf("%s From %.120q is not exactly one address (%d, %v)", name, msg.Header.Get("From"), len(from), err))
	}
	dec := &mime.WordDecoder{CharsetReader: func(string, io.Reader) (io.Reader, error) { return nil, errors.New("charset") }}
	for _, k := range []string{"Subject", "From", "List-Id", "Reply-To"} {
		if v, err := dec.DecodeHeader(msg.Header.Get(k)); err == nil && strings.ContainsAny(v, "\r\n\x00\u0085\u2028") {
			problems = append(problems, fmt.Sprintf("%s %s decodes to a line break or NUL: %.120q", name, k, v))
		}
	}
	if n := strings.Count(msg.Header.Get("List-Unsubscribe"), "<"); n > 2 {
		problems = append(problems, fmt.Sprintf("%s List-Unsubscribe has %d targets: %.200q", name, n, msg.Header.Get("List-Unsubscribe")))
	}
	return problems
}

// textprotoKey canonicalises a header name the way mail.Header does.
func textprotoKey(k string) string {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(k)), "-")
	for i, s := range parts {
		if s != "" {
			parts[i] = strings.ToUpper(s[:1]) + s[1:]
		}
	}
	return strings.Join(parts, "-")
}

// The corpus's scripts all carry this marker, so any output holding it
// kept a script the sanitizer should have removed.
const scriptMarker = "alert(7)"

func checkScriptFree(p string) []string {
	switch filepath.Ext(p) {
	case ".html", ".txt", ".eml", ".svg", ".json", ".xml":
	default:
		return nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return []string{err.Error()}
	}
	low := bytes.ToLower(data)
	var problems []string
	if jsLink(low) {
		problems = append(problems, fmt.Sprintf("%s keeps a link to %q", filepath.Base(filepath.Dir(p))+"/"+filepath.Base(p), "javascript:"+scriptMarker))
	}
	for _, bad := range []string{"<script>" + scriptMarker, "onerror=\"" + scriptMarker, "onload=\"" + scriptMarker, "onerror=" + scriptMarker, "onload=" + scriptMarker} {
		if bytes.Contains(low, []byte(bad)) {
			problems = append(problems, fmt.Sprintf("%s keeps %q", filepath.Base(filepath.Dir(p))+"/"+filepath.Base(p), bad))
		}
	}
	return problems
}

// jsLink tells whether data holds the javascript: marker as a link (an
// attribute value, a CSS url(), an <autolink> or a plain-text reference
// "url [n]") rather than as words: an unsafe autolink is rightly shown as
// its text, which names the URL.
func jsLink(low []byte) bool {
	bad := []byte("javascript:" + scriptMarker)
	for i := 0; ; {
		j := bytes.Index(low[i:], bad)
		if j < 0 {
			return false
		}
		at := i + j
		before := bytes.TrimRight(low[:at], "\"' \t\\")
		if len(before) > 0 && bytes.ContainsRune([]byte("=(<"), rune(before[len(before)-1])) {
			return true
		}
		if bytes.HasPrefix(low[at+len(bad):], []byte(" [")) {
			return true
		}
		i = at + len(bad)
	}
}

// judge applies the case's expectations to what it did.
func judge(r *corpusResult, base cost) {
	c := r.c
	if r.killed != "" {
		r.failures = append(r.failures, "killed: "+r.killed)
	}
	switch {
	case r.signal != "":
		r.failures = append(r.failures, "ended by signal "+r.signal)
	case r.code == 2:
		r.failures = append(r.failures, "exit 2 (a Go panic, fatal error or usage error)")
	case r.code != 0 && r.code != 1:
		r.failures = append(r.failures, fmt.Sprintf("exit %d", r.code))
	case r.code == 0 && c.expect == mustReject:
		r.failures = append(r.failures, "accepted (exit 0); it must be rejected")
	case r.code == 1 && c.expect == mustRender:
		r.failures = append(r.failures, "rejected (exit 1); it must render")
	}
	if strings.Contains(r.stderr, "goroutine ") || strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "internal error") {
		r.failures = append(r.failures, "stderr shows a panic or internal error")
	}
	if strings.Contains(r.stderr, "do-not-leak") {
		r.failures = append(r.failures, "stderr shows another variable's secret")
	}
	for _, f := range c.forbid {
		if strings.Contains(r.stderr, f) {
			r.failures = append(r.failures, fmt.Sprintf("stderr says %q", f))
		}
	}
	if peak := max(r.rss, r.hwm); peak > corpusMaxRSS {
		r.failures = append(r.failures, fmt.Sprintf("peak RSS %d MiB (limit %d MiB)", peak>>20, corpusMaxRSS>>20))
	}
	switch r.code {
	case 1:
		if c.rendersFirst {
			if r.cpu > corpusRenderCost {
				r.failures = append(r.failures, fmt.Sprintf("the render before the rejection cost %v of CPU (limit %v)", r.cpu.Round(time.Millisecond), corpusRenderCost))
			}
		} else if extra, limit := r.cpu-base.cpu, rejectLimit(base.cpu); extra > limit {
			r.failures = append(r.failures, fmt.Sprintf("the rejection cost %v of CPU beyond start-up (limit %v)", extra.Round(time.Millisecond), limit))
		}
		if msg := checkDiagnostics(c, r.stderr); msg != "" {
			r.failures = append(r.failures, msg)
		}
	case 0:
		if r.cpu > corpusRenderCost {
			r.failures = append(r.failures, fmt.Sprintf("the render cost %v of CPU (limit %v)", r.cpu.Round(time.Millisecond), corpusRenderCost))
		}
	}
}

var diagRE = regexp.MustCompile(`^(.+?):(\d+)(?::(\d+))?: (.+)$`)

// checkDiagnostics wants a diagnostic (not a warning) naming the case's
// file, at one of the case's lines when it pins them.
func checkDiagnostics(c *corpusCase, stderr string) string {
	var named []string
	for _, line := range strings.Split(stderr, "\n") {
		if line == "" || strings.Contains(line, ": warning: ") {
			continue
		}
		if !strings.HasPrefix(line, c.file+":") {
			continue
		}
		named = append(named, line)
		m := diagRE.FindStringSubmatch(line)
		switch {
		case len(c.lines) == 1 && c.lines[0] == noLine:
			return ""
		case m == nil || m[1] != c.file:
			continue
		case len(c.lines) == 0:
			return ""
		}
		n, _ := strconv.Atoi(m[2])
		if slices.Contains(c.lines, n) {
			return ""
		}
	}
	want := "a line"
	if len(c.lines) > 0 {
		want = fmt.Sprintf("line %v", c.lines)
	}
	if len(c.lines) == 1 && c.lines[0] == noLine {
		return fmt.Sprintf("no diagnostic names %s", c.file)
	}
	if len(named) == 0 {
		return fmt.Sprintf("no diagnostic names %s at %s", c.file, want)
	}
	return fmt.Sprintf("no diagnostic names %s at %s; got %.200q", c.file, want, named[0])
}

// summarise logs one line per class and the extremes, for the report.
func summarise(t *testing.T, cases []*corpusCase, results []*corpusResult, base cost) {
	type tally struct {
		cases, ok, rejected, failed int
		cpu                         time.Duration
	}
	classes := map[string]*tally{}
	var order []string
	for _, c := range cases { // in the generator's order
		if classes[c.class] == nil {
			classes[c.class] = &tally{}
			order = append(order, c.class)
		}
	}
	for _, r := range results { // only the cases -run selected
		classes[r.c.class].cases++
	}
	var maxReject, maxRejectWall time.Duration
	var maxRSS, maxMaxrss int64
	var maxRSSCase, maxRejectCase string
	ok, rejected, failed := 0, 0, 0
	for _, r := range results {
		tl := classes[r.c.class]
		tl.cpu += r.cpu
		switch r.code {
		case 0:
			tl.ok++
			ok++
		case 1:
			tl.rejected++
			rejected++
			if d := r.cpu - base.cpu; d > maxReject {
				maxReject, maxRejectCase = d, r.c.class+"/"+r.c.name
			}
			maxRejectWall = max(maxRejectWall, r.wall-base.wall)
		}
		if len(r.failures) > 0 {
			tl.failed++
			failed++
		}
		if r.hwm > maxRSS {
			maxRSS, maxRSSCase = r.hwm, r.c.class+"/"+r.c.name
		}
		maxMaxrss = max(maxMaxrss, r.rss)
	}
	var per []string
	for _, k := range order {
		tl := classes[k]
		per = append(per, fmt.Sprintf("%s %d (exit0 %d, exit1 %d, failed %d, cpu %v)", k, tl.cases, tl.ok, tl.rejected, tl.failed, tl.cpu.Round(time.Second)))
	}
	t.Logf("corpus: %d cases, exit0 %d, exit1 %d, failed %d; %s", len(results), ok, rejected, failed, strings.Join(per, "; "))
	t.Logf("corpus: max rejection cost beyond start-up: cpu %v (%s), wall %v; max peak RSS %d MiB (%s), max rusage Maxrss %d MiB (includes the test process's own peak); timings on a shared, loaded machine",
		maxReject.Round(time.Millisecond), maxRejectCase, maxRejectWall.Round(time.Millisecond), maxRSS>>20, maxRSSCase, maxMaxrss>>20)
}

// buildBinary compiles crosscast once for the corpus.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "crosscast")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/crosscast/crosscast/cmd/crosscast").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// readKit reads a brand kit's files (brand.yaml and its logos).
func readKit(t *testing.T, dir string) map[string][]byte {
	kit := map[string][]byte{}
	for _, name := range []string{"brand.yaml", "logo.svg", "logo-dark.svg"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		kit[name] = b
	}
	return kit
}

// TestCorpusCases checks the generator itself: enough cases, in every
// class, with unique names, and lines only where a case pins them.
func TestCorpusCases(t *testing.T) {
	kit := readKit(t, "../../../examples/kestrel")
	cases := corpusCases(kit)
	if len(cases) < 300 {
		t.Errorf("%d cases; the corpus promises at least 300", len(cases))
	}
	names := map[string]bool{}
	per := map[string]int{}
	for _, c := range cases {
		full := c.class + "/" + c.name
		if names[full] {
			t.Errorf("two cases are named %s", full)
		}
		names[full] = true
		per[c.class]++
		if c.item == "" || c.file == "" {
			t.Errorf("%s: no item or file", full)
		}
	}
	for _, class := range []string{"frontmatter", "markdown", "images", "bundles", "brand", "headers"} {
		if per[class] < 30 {
			t.Errorf("class %s has %d cases", class, per[class])
		}
	}
	t.Logf("%d cases: %v", len(cases), per)
}
