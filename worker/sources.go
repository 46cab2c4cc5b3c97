package worker

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/hibiken/asynq"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/tasks"
)

func (h *Handler) handleSourcePoll(ctx context.Context, t *asynq.Task) error {
	pl, err := decode[tasks.SourcePollPayload](t)
	if err != nil {
		return err
	}
	return retry(h.svc.PollSource(ctx, pl))
}

// WatchConfig tunes the folder watchers.
type WatchConfig struct {
	// Debounce is how long a folder must be quiet after a change before
	// it is imported (an editor's save is several events); 0 means 500 ms.
	Debounce time.Duration
	// Rescan is how often the brands' folder sources are listed again,
	// to start and stop watchers as brand.yaml changes; 0 means a minute.
	Rescan time.Duration
	// MaxDirs bounds the folders one watcher watches (each is an inotify
	// watch); 0 means 4096.
	MaxDirs int
	// MaxRemoved bounds the deleted files remembered between imports.
	MaxRemoved int
}

// RunFolderWatchers watches every brand's folder sources until ctx ends:
// one recursive, debounced watcher per source, which imports the folder
// once at start and after each burst of changes. Two workers watching
// the same folder do the same import twice, which is harmless: a page
// unchanged since its latest version makes no new version (the store's
// dedupe), and two first submissions of one page race to one item.
func RunFolderWatchers(ctx context.Context, svc *app.Service, cfg WatchConfig, log *slog.Logger) {
	if cfg.Debounce <= 0 {
		cfg.Debounce = 500 * time.Millisecond
	}
	if cfg.Rescan <= 0 {
		cfg.Rescan = time.Minute
	}
	if cfg.MaxDirs <= 0 {
		cfg.MaxDirs = 4096
	}
	if cfg.MaxRemoved <= 0 {
		cfg.MaxRemoved = 100
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	type running struct {
		path   string
		cancel context.CancelFunc
	}
	var wg sync.WaitGroup
	watchers := map[string]running{}
	defer func() {
		for _, r := range watchers {
			r.cancel()
		}
		wg.Wait()
	}()
	tick := time.NewTicker(cfg.Rescan)
	defer tick.Stop()
	for {
		srcs, err := svc.FolderSources(ctx)
		if err != nil {
			log.Warn("folder watchers: list sources", "err", err)
		} else {
			seen := map[string]bool{}
			for _, fsrc := range srcs {
				key := fsrc.Brand + "/" + fsrc.Source.ID
				seen[key] = true
				if r, ok := watchers[key]; ok && r.path == fsrc.Source.Path {
					continue
				} else if ok {
					r.cancel()
				}
				wctx, cancel := context.WithCancel(ctx)
				watchers[key] = running{path: fsrc.Source.Path, cancel: cancel}
				wg.Add(1)
				go func() {
					defer wg.Done()
					watchFolder(wctx, svc, fsrc, cfg, log.With("brand", fsrc.Brand, "source", fsrc.Source.ID))
				}()
			}
			for key, r := range watchers {
				if !seen[key] {
					r.cancel()
					delete(watchers, key)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// watchFolder watches one folder source until ctx ends.
func watchFolder(ctx context.Context, svc *app.Service, fsrc app.FolderSource, cfg WatchConfig, log *slog.Logger) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		log.Error("folder watcher", "err", err)
		return
	}
	defer w.Close()
	root := filepath.Clean(fsrc.Source.Path)
	dirs := 0
	addTree := func(dir string) {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil // a folder gone meanwhile: the next event says so
			}
			if !d.IsDir() {
				return nil
			}
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir // .git and the like
			}
			if dirs >= cfg.MaxDirs {
				return errors.New("too many folders")
			}
			if err := w.Add(p); err != nil {
				log.Warn("folder watcher: watch", "dir", p, "err", err)
				return nil
			}
			dirs++
			return nil
		})
		if err != nil {
			log.Warn("folder watcher: not every folder is watched", "limit", cfg.MaxDirs, "err", err)
		}
	}
	addTree(root)
	var removed []string
	importNow := func() {
		// An editor saving by rename deletes and makes a file at once:
		// only a page that is still gone counts as deleted.
		removed = slices.DeleteFunc(removed, func(rel string) bool {
			_, err := os.Lstat(filepath.Join(root, filepath.FromSlash(rel)))
			return err == nil
		})
		if _, err := svc.ImportFolder(ctx, fsrc.Brand, fsrc.Source.ID, removed); err != nil && ctx.Err() == nil {
			log.Warn("folder import failed", "err", err)
		}
		removed = nil
	}
	importNow()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			// An overflow loses events: import anyway, the dedupe
			// keeps it cheap.
			log.Warn("folder watcher", "err", err)
			timer.Reset(cfg.Debounce)
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			if ev.Has(fsnotify.Create) {
				// fsnotify is not recursive: a new folder is watched
				// from now on (and walked, for files made in it
				// before the watch began).
				addTree(ev.Name)
			}
			if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
				if rel, err := filepath.Rel(root, ev.Name); err == nil && isPage(rel) && len(removed) < cfg.MaxRemoved {
					removed = append(removed, filepath.ToSlash(rel))
				}
			}
			timer.Reset(cfg.Debounce)
		case <-timer.C:
			importNow()
		}
	}
}

func isPage(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".md" || ext == ".markdown"
}
