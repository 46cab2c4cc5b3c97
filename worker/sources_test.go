package worker_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crosscast/crosscast/internal/pipetest"
	"github.com/crosscast/crosscast/internal/testenv"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/worker"
)

func writeFile(t *testing.T, root, name, body string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	// Written beside and renamed in, as editors save, so the watcher
	// never imports half a file.
	tmp := filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".tmp")
	if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
}

// TestFolderSourceWatch edits a Hugo content tree under a running
// watcher: new, changed and deleted pages, and a page in a folder made
// after the watch began, show up within seconds; an unchanged page is
// never given another version, and a deleted one is reported, not
// unpublished.
func TestFolderSourceWatch(t *testing.T) {
	e := newEnv(t, pipetest.Setups[0])
	ctx := context.Background()
	root := t.TempDir()
	writeFile(t, root, "_index.md", "+++\ntitle = \"Kestrel notes\"\n+++\n")
	writeFile(t, root, "posts/first.md", "+++\ntitle = \"First light\"\ntags = [\"workshop\"]\n+++\n\nThe shop opens at dawn.\n")
	writeFile(t, root, "posts/second.md", "---\ntitle: Second coat\n---\n\nOil again after a day.\n")
	writeFile(t, root, "posts/draft.md", "---\ntitle: Not yet\ndraft: true\n---\n\nHidden.\n")

	files := map[string][]byte{}
	kit := filepath.Join(testenv.RepoRoot(t), "examples", "kestrel")
	for _, n := range []string{"brand.yaml", "logo.svg", "logo-dark.svg"} {
		data, err := os.ReadFile(filepath.Join(kit, n))
		if err != nil {
			t.Fatal(err)
		}
		files[n] = data
	}
	files["brand.yaml"] = append(files["brand.yaml"], fmt.Sprintf("\nsources:\n  notes:\n    kind: folder\n    path: %s\n    compat: hugo\n", root)...)
	if _, _, err := e.Service.UploadBrand(ctx, "kestrel", files, "test"); err != nil {
		t.Fatal(err)
	}

	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		worker.RunFolderWatchers(wctx, e.Service, worker.WatchConfig{Debounce: 50 * time.Millisecond, Rescan: time.Hour}, nil)
	}()
	t.Cleanup(func() { cancel(); <-done })

	items := func() map[string]int {
		its, err := e.DB.Items(ctx, store.ItemFilter{Brand: "kestrel"})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, it := range its {
			out[it.Title] = it.LatestVersion
		}
		return out
	}
	expect := func(what string, want map[string]int) {
		t.Helper()
		pipetest.WaitFor(t, 10*time.Second, what, func() (bool, string) {
			got := items()
			return fmt.Sprint(got) == fmt.Sprint(want), fmt.Sprintf("items %v, want %v", got, want)
		})
	}
	// The home page (_index.md) is a list page: the walk leaves it out.
	want := map[string]int{"First light": 1, "Second coat": 1}
	expect("the first import", want)

	writeFile(t, root, "posts/third.md", "---\ntitle: Third time\n---\n\nA new page.\n")
	want["Third time"] = 1
	expect("a new page", want)

	writeFile(t, root, "posts/first.md", "+++\ntitle = \"First light\"\ntags = [\"workshop\"]\n+++\n\nThe shop opens at six.\n")
	want["First light"] = 2
	expect("a changed page", want)

	writeFile(t, root, "events/2026/fair/index.md", "---\ntitle: Autumn fair\n---\n\nIn a folder made after the watch began.\n")
	want["Autumn fair"] = 1
	expect("a page in a new folder", want)

	if err := os.Remove(filepath.Join(root, "posts", "second.md")); err != nil {
		t.Fatal(err)
	}
	pipetest.WaitFor(t, 10*time.Second, "the deletion reported", func() (bool, string) {
		st, err := e.DB.SourceState(ctx, "kestrel", "notes")
		if err != nil {
			return false, err.Error()
		}
		return strings.Contains(st.Note, "posts/second.md was deleted"), st.Note
	})
	if got := items(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after the deletion: %v, want %v (the item stays, nothing re-posted)", got, want)
	}
	st, err := e.DB.SourceState(ctx, "kestrel", "notes")
	if err != nil {
		t.Fatal(err)
	}
	if st.Created != 4 || st.Updated != 1 || st.Status != store.SourceOK {
		t.Errorf("state: %+v", st)
	}
}
