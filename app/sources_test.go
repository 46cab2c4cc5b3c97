package app_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// feedServer serves the ingest fixtures, rewritten to point at itself,
// with ETag validation, and records what each request asked.
type feedServer struct {
	*httptest.Server
	mu    sync.Mutex
	docs  map[string][]byte // path → body
	etags map[string]string
	conds []string // "path If-None-Match" per request
}

func newFeedServer(t *testing.T) *feedServer {
	t.Helper()
	fs := &feedServer{docs: map[string][]byte{}, etags: map[string]string{}}
	fs.Server = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.Close)
	dir := filepath.Join(testenv.RepoRoot(t), "ingest", "testdata")
	for name, host := range map[string]string{"rss.xml": "https://blog.kestrel.test", "atom.xml": "https://journal.kestrel.test", "feed.json": "https://shop.kestrel.test"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		fs.set("/"+name, bytes.ReplaceAll(data, []byte(host), []byte(fs.URL)))
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 40))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	img.Set(1, 1, color.White)
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	fs.set("/img/bench.png", b.Bytes())
	return fs
}

func (fs *feedServer) set(path string, body []byte) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.docs[path] = body
	fs.etags[path] = fmt.Sprintf(`"%d-%d"`, len(fs.etags), len(body))
}

func (fs *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	fs.mu.Lock()
	body, ok := fs.docs[r.URL.Path]
	etag := fs.etags[r.URL.Path]
	fs.conds = append(fs.conds, r.URL.Path+" "+r.Header.Get("If-None-Match"))
	fs.mu.Unlock()
	if target, found := strings.CutPrefix(r.URL.Path, "/go/"); found {
		// A redirect to the same server by another name.
		http.Redirect(w, r, "http://localhost:"+fs.URL[strings.LastIndex(fs.URL, ":")+1:]+"/"+target, http.StatusFound)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	switch {
	case strings.HasSuffix(r.URL.Path, ".png"):
		w.Header().Set("Content-Type", "image/png")
	case strings.HasSuffix(r.URL.Path, ".json"):
		w.Header().Set("Content-Type", "application/feed+json")
	default:
		w.Header().Set("Content-Type", "application/xml")
	}
	w.Write(body)
}

func (fs *feedServer) requests() []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]string(nil), fs.conds...)
}

// sourceBrand stores the Kestrel kit with sources appended to brand.yaml.
func sourceBrand(t *testing.T, e *env, sources string) {
	t.Helper()
	files := readDir(t, filepath.Join(testenv.RepoRoot(t), "examples", "kestrel"))
	for name := range files {
		if strings.HasPrefix(name, "items/") {
			delete(files, name)
		}
	}
	files["brand.yaml"] = append(files["brand.yaml"], []byte("\n"+sources)...)
	if _, _, err := e.Service.UploadBrand(context.Background(), "kestrel", files, "test"); err != nil {
		t.Fatal(err)
	}
}

func poll(t *testing.T, svc *app.Service, id string) {
	t.Helper()
	if err := svc.PollSource(context.Background(), tasks.SourcePollPayload{Brand: "kestrel", Source: id, At: time.Now().Unix()}); err != nil {
		t.Fatalf("poll %s: %v", id, err)
	}
}

func state(t *testing.T, db *store.DB, id string) *store.SourceState {
	t.Helper()
	st, err := db.SourceState(context.Background(), "kestrel", id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// versions maps each of the brand's items' titles to its latest version.
func versions(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	items, err := db.Items(context.Background(), store.ItemFilter{Brand: "kestrel", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, it := range items {
		if _, dup := out[it.Title]; dup {
			t.Errorf("two items titled %q", it.Title)
		}
		out[it.Title] = it.LatestVersion
	}
	return out
}

func TestFeedSources(t *testing.T) {
	for _, s := range setups {
		t.Run(s.String(), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t, s)
			srv := newFeedServer(t)
			sourceBrand(t, e, fmt.Sprintf(`sources:
  blog:
    kind: feed
    url: %[1]s/rss.xml
    since: 2020-01-01
    allow_hosts: [127.0.0.1]
  journal:
    kind: feed
    url: %[1]s/atom.xml
    allow_hosts: [127.0.0.1]
  shop:
    kind: feed
    url: %[1]s/feed.json
    tags: [kits]
    allow_hosts: [127.0.0.1]
`, srv.URL))

			poll(t, e.Service, "blog")
			got := versions(t, e.DB)
			want := map[string]int{"Oiling a walnut & oak bench": 1, "Shop closed for the holidays": 1}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("after the first poll: %v, want %v (the 2019 post is before since, the repeat is one item)", got, want)
			}
			st := state(t, e.DB, "blog")
			if st.Status != store.SourceOK || st.Created != 2 || st.Updated != 0 || st.Error != "" || !st.NextRun.After(time.Now().Add(20*time.Minute)) {
				t.Errorf("state after first poll: %+v", st)
			}
			items, _ := e.DB.Items(ctx, store.ItemFilter{Brand: "kestrel", Query: "Oiling"})
			if len(items) != 1 {
				t.Fatalf("oiling items: %+v", items)
			}
			oiling := items[0].ID
			v, err := e.DB.Version(ctx, oiling, 1)
			if err != nil {
				t.Fatal(err)
			}
			src := string(v.Source)
			for _, want := range []string{"title: Oiling a walnut & oak bench", "hero:\n    src: hero.png\n    alt: An oiled bench",
				"[sanded](" + srv.URL + "/notes/guides/sanding/)", "url: " + srv.URL + "/notes/oiling-bench/"} {
				if !strings.Contains(src, want) {
					t.Errorf("item source lacks %q:\n%s", want, src)
				}
			}
			if _, ok := v.Assets["hero.png"]; !ok || v.SubmittedBy != "source:blog" {
				t.Errorf("hero asset %v, owner %q", v.Assets, v.SubmittedBy)
			}

			// Nothing changed: a conditional request, a 304, nothing new.
			poll(t, e.Service, "blog")
			reqs := srv.requests()
			if last := reqs[len(reqs)-1]; !strings.HasPrefix(last, "/rss.xml \"") {
				t.Errorf("the second fetch was not conditional: %q", last)
			}
			if st := state(t, e.DB, "blog"); st.Status != store.SourceNotModified || st.Created != 2 || st.Fetches != 2 {
				t.Errorf("after a 304: %+v", st)
			}

			// One entry edited: a new version of the same item.
			srv.mu.Lock()
			rss := srv.docs["/rss.xml"]
			srv.mu.Unlock()
			srv.set("/rss.xml", bytes.Replace(rss, []byte("Three coats, a day apart."), []byte("Four coats, a day apart."), 1))
			poll(t, e.Service, "blog")
			want["Oiling a walnut & oak bench"] = 2
			if got := versions(t, e.DB); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("after an edit: %v, want %v", got, want)
			}
			if st := state(t, e.DB, "blog"); st.Created != 2 || st.Updated != 1 {
				t.Errorf("counts after an edit: %+v", st)
			}

			// A restart (a new service over the same store) and a feed
			// served again with a new ETag but the same entries: nothing
			// is duplicated or versioned again.
			srv.mu.Lock()
			rss = srv.docs["/rss.xml"]
			srv.mu.Unlock()
			srv.set("/rss.xml", rss)
			restarted := app.New(app.Config{Store: e.DB, Queue: e.Queue})
			poll(t, restarted, "blog")
			if got := versions(t, e.DB); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("after a restart: %v, want %v", got, want)
			}

			// What check would do now: nothing; after another edit, one update.
			rep, err := restarted.CheckSource(ctx, "kestrel", "blog")
			if err != nil {
				t.Fatal(err)
			}
			if rep.Count(app.SourceCreate)+rep.Count(app.SourceUpdate) != 0 || rep.Count(app.SourceUnchanged) != 2 {
				t.Errorf("check after import: %+v", rep.Entries)
			}
			srv.set("/rss.xml", bytes.Replace(rss, []byte("Coat two"), []byte("Coat two, thinner"), 1))
			if rep, err = restarted.CheckSource(ctx, "kestrel", "blog"); err != nil || rep.Count(app.SourceUpdate) != 1 {
				t.Errorf("check after an edit: %+v, %v", rep, err)
			}
			if got := versions(t, e.DB); got["Oiling a walnut & oak bench"] != 2 {
				t.Errorf("check wrote a version: %v", got)
			}

			// An entry deleted from between kept ones is reported, and its
			// item stays; one falling off the end is not a deletion.
			srv.mu.Lock()
			rss = srv.docs["/rss.xml"]
			srv.mu.Unlock()
			for { // the entry and its repeat
				start := bytes.Index(rss, []byte("<item>\n    <title>Shop closed"))
				if start < 0 {
					break
				}
				end := bytes.Index(rss[start:], []byte("</item>")) + start + len("</item>")
				rss = append(append([]byte{}, rss[:start]...), rss[end:]...)
			}
			srv.set("/rss.xml", rss)
			poll(t, e.Service, "blog")
			if st := state(t, e.DB, "blog"); !strings.Contains(st.Note, "is no longer in the feed") || strings.Count(st.Note, "no longer") != 1 {
				t.Errorf("deleted entry not reported: %q", st.Note)
			}
			if got := versions(t, e.DB); got["Shop closed for the holidays"] != 1 {
				t.Errorf("the deleted entry's item: %v", got)
			}

			// Atom and JSON Feed, with the tag filter on the shop.
			poll(t, e.Service, "journal")
			poll(t, e.Service, "shop")
			got = versions(t, e.DB)
			for _, title := range []string{"Drawknife basics", "No date at all", "The spoon-carving kit is back"} {
				if got[title] != 1 {
					t.Errorf("item %q: version %d (all: %v)", title, got[title], got)
				}
			}
			if _, ok := got["A post with neither id nor url"]; ok {
				t.Error("the tag filter let an entry without the kits tag in")
			}
		})
	}
}

// A feed is fetched like a webhook is posted: a loopback or private
// address is refused unless the source allows the host, and the refusal
// is recorded with a backoff, not retried at once.
func TestFeedSourceSSRF(t *testing.T) {
	e := newEnv(t, pipetest.Setups[0])
	srv := newFeedServer(t)
	sourceBrand(t, e, fmt.Sprintf(`sources:
  lan:
    kind: feed
    url: %s/rss.xml
  metadata:
    kind: feed
    url: http://169.254.169.254/latest/meta-data/
    every: 10m
`, srv.URL))
	for _, id := range []string{"lan", "metadata"} {
		before := time.Now()
		poll(t, e.Service, id)
		st := state(t, e.DB, id)
		if st.Status != store.SourceFailed || !strings.Contains(st.Error, "address not allowed") || st.Failures != 1 {
			t.Errorf("%s: %+v", id, st)
		}
		every := 30 * time.Minute
		if id == "metadata" {
			every = 10 * time.Minute
		}
		if min := before.Add(2 * every * 9 / 10); st.NextRun.Before(min) {
			t.Errorf("%s: next run %v, want a doubled interval (after %v)", id, st.NextRun, min)
		}
	}
	for _, r := range srv.requests() {
		t.Errorf("the loopback server was reached: %s", r)
	}
	if got := versions(t, e.DB); len(got) != 0 {
		t.Errorf("items from a refused feed: %v", got)
	}

	// The allow-list names hosts: a feed allowed on 127.0.0.1 may not
	// have its images fetched from localhost, which is the same address
	// under another name. The entry is imported without its hero.
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	srv.set("/images.xml", []byte(`<rss version="2.0"><channel><title>x</title><link>`+srv.URL+`/</link>
<item><title>Hero elsewhere</title><guid>h-1</guid><pubDate>Mon, 02 Nov 2026 09:30:00 +0000</pubDate>
<enclosure url="http://localhost:`+port+`/img/bench.png" type="image/png" length="100"/><description>Text.</description></item></channel></rss>`))
	sourceBrand(t, e, fmt.Sprintf("sources:\n  imgs:\n    kind: feed\n    url: %[1]s/images.xml\n    allow_hosts: [127.0.0.1]\n  hop:\n    kind: feed\n    url: %[1]s/go/rss.xml\n    allow_hosts: [127.0.0.1]\n", srv.URL))
	poll(t, e.Service, "imgs")
	// Nor may an allowed feed redirect there.
	poll(t, e.Service, "hop")
	if st := state(t, e.DB, "hop"); st.Status != store.SourceFailed || !strings.Contains(st.Error, "localhost resolves to 127.0.0.1") {
		t.Errorf("a redirect to a host the source does not allow: %+v", st)
	}
	items, err := e.DB.Items(context.Background(), store.ItemFilter{Brand: "kestrel"})
	if err != nil || len(items) != 1 {
		t.Fatalf("items: %+v %v", items, err)
	}
	v, err := e.DB.Version(context.Background(), items[0].ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Assets) != 0 || strings.Contains(string(v.Source), "hero:") {
		t.Errorf("a hero fetched from a host the source does not allow: %v\n%s", v.Assets, v.Source)
	}
	for _, r := range srv.requests() {
		if strings.HasPrefix(r, "/img/") {
			t.Errorf("the image was fetched: %s", r)
		}
	}
}

// A source's policy decides for its items: draft waits for an editor,
// auto_publish schedules each rendered version at once, publish_after
// schedules it that long after the version arrived (an editor can
// still cancel).
func TestFeedSourcePolicies(t *testing.T) {
	e := newEnv(t, pipetest.Setups[0])
	e.Start(t)
	ctx := context.Background()
	srv := newFeedServer(t)
	sourceBrand(t, e, fmt.Sprintf(`sources:
  held:
    kind: feed
    url: %[1]s/rss.xml
    since: 2020-01-01
    allow_hosts: [127.0.0.1]
  auto:
    kind: feed
    url: %[1]s/atom.xml
    policy: auto_publish
    allow_hosts: [127.0.0.1]
  later:
    kind: feed
    url: %[1]s/feed.json
    publish_after: 2h
    tags: [kits]
    allow_hosts: [127.0.0.1]
`, srv.URL))
	for _, id := range []string{"held", "auto", "later"} {
		poll(t, e.Service, id)
	}
	items, err := e.DB.Items(ctx, store.ItemFilter{Brand: "kestrel"})
	if err != nil || len(items) != 5 {
		t.Fatalf("items: %d, %v", len(items), err)
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	waitFor(t, 30*time.Second, "every item rendered", allRendered(e, ids))
	for _, it := range items {
		v, err := e.DB.Version(ctx, it.ID, 1)
		if err != nil {
			t.Fatal(err)
		}
		var pub *store.Publication
		waitFor(t, 10*time.Second, "the policy applied to "+it.Title, func() (bool, string) {
			pub, err = e.DB.Publication(ctx, it.ID, 1)
			return v.SubmittedBy == "source:held" || err == nil, fmt.Sprint(err)
		})
		switch v.SubmittedBy {
		case "source:held":
			if err == nil {
				t.Errorf("%s (draft policy) was scheduled: %+v", it.Title, pub)
			}
		case "source:auto":
			if pub.ApprovedBy != "auto" || pub.ProcessAt.After(time.Now().Add(time.Minute)) {
				t.Errorf("%s (auto_publish): %+v", it.Title, pub)
			}
		case "source:later":
			if want := v.CreatedAt.Add(2 * time.Hour); pub.Status != store.PubScheduled || pub.ProcessAt.Sub(want).Abs() > time.Second {
				t.Errorf("%s (publish_after 2h): %+v, want at %v", it.Title, pub, want)
			}
			if _, err := e.Service.Cancel(ctx, it.ID, 1, "editor"); err != nil {
				t.Errorf("an editor cannot stop a publish_after item: %v", err)
			}
		}
	}
}

// Polls live in the store, not in Redis: the reconciler plans a newly
// declared source, and re-enqueues a poll whose task Redis lost; the
// repeated import makes nothing twice.
func TestSourcePollsReconciled(t *testing.T) {
	e := newEnv(t, pipetest.Setups[0])
	e.Start(t)
	ctx := context.Background()
	srv := newFeedServer(t)
	sourceBrand(t, e, fmt.Sprintf("sources:\n  blog:\n    kind: feed\n    url: %s/rss.xml\n    allow_hosts: [127.0.0.1]\n", srv.URL))
	fetches := func(n int) func() (bool, string) {
		return func() (bool, string) {
			st, err := e.DB.SourceState(ctx, "kestrel", "blog")
			if err != nil {
				return false, err.Error()
			}
			return st.Fetches == n, fmt.Sprintf("%d fetches, status %s", st.Fetches, st.Status)
		}
	}
	st, err := e.Service.Reconcile(ctx, time.Minute)
	if err != nil || st.Sources != 1 {
		t.Fatalf("reconcile: %+v %v", st, err)
	}
	waitFor(t, 10*time.Second, "the first poll", fetches(1))
	before := versions(t, e.DB)

	// Redis loses every key, and the next run comes due.
	e.Mini.FlushAll()
	if err := e.DB.SetSourceNextRun(ctx, "kestrel", "blog", time.Now().Add(-10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if st, err = e.Service.Reconcile(ctx, time.Minute); err != nil || st.Sources != 1 {
		t.Fatalf("reconcile after the loss: %+v %v", st, err)
	}
	waitFor(t, 10*time.Second, "the re-enqueued poll", fetches(2))
	if after := versions(t, e.DB); fmt.Sprint(after) != fmt.Sprint(before) || len(after) != 3 {
		t.Errorf("items before %v, after %v", before, after)
	}
	if st, err = e.Service.Reconcile(ctx, time.Minute); err != nil || st.Sources != 0 {
		t.Errorf("a source not due was planned again: %+v %v", st, err)
	}
}
