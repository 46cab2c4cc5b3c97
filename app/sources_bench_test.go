package app_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/tasks"
)

// BenchmarkFeedImport5000 imports a 5,000-entry RSS feed into the
// embedded store, each entry a new item, and reports entries a second
// and the process's peak resident memory. Run it once:
// go test ./app/ -run XXX -bench FeedImport5000 -benchtime 1x
func BenchmarkFeedImport5000(b *testing.B) {
	const n = 5000
	e := pipetest.New(b, pipetest.Setups[0])
	feed := func(run int) []byte {
		var sb strings.Builder
		sb.WriteString(`<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Bench</title><link>https://bench.example/</link>`)
		for i := range n {
			fmt.Fprintf(&sb, `<item><title>Run %d entry %d: &lt;b&gt;notes&lt;/b&gt; from the workshop</title><link>/posts/%d-%d/</link><guid>r%d-e%d</guid><pubDate>Mon, 02 Nov 2026 09:30:00 +0000</pubDate><category>Workshop</category><description>Entry %d in short.</description><content:encoded><![CDATA[<p>Paragraph one of entry %d with <a href="/x/%d">a link</a> and <em>emphasis</em>.</p><ul><li>one</li><li>two</li></ul><p>`+strings.Repeat("More text about oiling and sanding. ", 10)+`</p>]]></content:encoded></item>`,
				run, i, run, i, run, i, i, i, i)
		}
		sb.WriteString(`</channel></rss>`)
		return []byte(sb.String())
	}
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	b.Cleanup(srv.Close)
	files := readDirB(b)
	files["brand.yaml"] = append(files["brand.yaml"], fmt.Sprintf("\nsources:\n  bench:\n    kind: feed\n    url: %s/feed.xml\n    allow_hosts: [127.0.0.1]\n", srv.URL)...)
	if _, _, err := e.Service.UploadBrand(context.Background(), "kestrel", files, "bench"); err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		body = feed(i)
		b.StartTimer()
		start := time.Now()
		if err := e.Service.PollSource(context.Background(), tasks.SourcePollPayload{Brand: "kestrel", Source: "bench", At: time.Now().Unix()}); err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
	}
	st, err := e.DB.SourceState(context.Background(), "kestrel", "bench")
	if err != nil || st.Status != "ok" || st.Created != n*b.N {
		b.Fatalf("state %+v, %v: want %d created", st, err, n*b.N)
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "entries/s")
	b.ReportMetric(float64(peakRSS())/(1<<20), "peak-RSS-MiB")
	b.Logf("feed of %d entries is %d KiB", n, len(body)>>10)
}

func readDirB(b *testing.B) map[string][]byte {
	files := map[string][]byte{}
	for _, name := range []string{"brand.yaml", "logo.svg", "logo-dark.svg"} {
		data, err := os.ReadFile("../examples/kestrel/" + name)
		if err != nil {
			b.Fatal(err)
		}
		files[name] = data
	}
	return files
}

// peakRSS is the process's high-water resident set (VmHWM), in bytes.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
