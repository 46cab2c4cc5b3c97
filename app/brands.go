package app

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/memfs"
	"github.com/crosscast/crosscast/internal/safefs"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// Brands loads brand kits from the store, each version parsed once. Kits
// are kept by version hash, which never changes meaning, so the cache
// needs no invalidation.
type Brands struct {
	db *store.DB
	mu sync.Mutex
	m  map[string]*content.Brand // id@hash
}

// NewBrands returns an empty cache over db.
func NewBrands(db *store.DB) *Brands {
	return &Brands{db: db, m: map[string]*content.Brand{}}
}

// Load returns brand id at version hash.
func (b *Brands) Load(ctx context.Context, id, hash string) (*content.Brand, error) {
	key := id + "@" + hash
	b.mu.Lock()
	br, ok := b.m[key]
	b.mu.Unlock()
	if ok {
		return br, nil
	}
	files, err := b.db.BrandFiles(ctx, id, hash)
	if err != nil {
		return nil, err
	}
	br, err = content.LoadBrand(memfs.FS(files), id, id+"/brand.yaml")
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.m[key] = br
	b.mu.Unlock()
	return br, nil
}

// Current returns a brand's current version and its hash.
func (b *Brands) Current(ctx context.Context, id string) (*content.Brand, string, error) {
	info, err := b.db.Brand(ctx, id)
	if err != nil {
		return nil, "", err
	}
	br, err := b.Load(ctx, id, info.Hash)
	return br, info.Hash, err
}

// ReadBrandDir reads a brand kit folder: brand.yaml and the files it
// names, nothing else (a kit folder may also hold items). The kit is
// validated on the way.
func ReadBrandDir(dir string) (*content.Brand, map[string][]byte, error) {
	// Only regular files inside dir, as for a bundle (internal/safefs).
	fsys, err := safefs.OpenDir(dir)
	if err != nil {
		return nil, nil, err
	}
	defer fsys.Close()
	id := filepath.Base(filepath.Clean(dir))
	br, err := content.LoadBrand(fsys, id, filepath.Join(dir, "brand.yaml"))
	if err != nil {
		return nil, nil, err
	}
	src, err := safefs.ReadFile(fsys, "brand.yaml", content.MaxBrandYAML)
	if err != nil {
		return nil, nil, err
	}
	files := map[string][]byte{"brand.yaml": src}
	for _, f := range br.Files {
		files[f.Name] = f.Data
	}
	return br, files, nil
}

// ImportBrand stores a brand kit read from dir as the brand's current
// version. If the kit changed, every item of the brand is queued to
// render again on the low queue.
func (s *Service) ImportBrand(ctx context.Context, dir, actor string) (*content.Brand, *store.PutBrandResult, error) {
	br, files, err := ReadBrandDir(dir)
	if err != nil {
		return nil, nil, err
	}
	return s.putBrand(ctx, br, files, actor)
}

// UploadBrand stores a brand kit sent as files (brand.yaml and the files
// it names) as brand id's current version, as ImportBrand does for a
// folder. Files the kit does not name are left out.
func (s *Service) UploadBrand(ctx context.Context, id string, files map[string][]byte, actor string) (*content.Brand, *store.PutBrandResult, error) {
	if _, ok := files["brand.yaml"]; !ok {
		return nil, nil, content.Errors{{File: "brand.yaml", Code: content.ENotFound, Message: "a brand kit needs its brand.yaml"}}
	}
	br, err := content.LoadBrand(memfs.FS(files), id, id+"/brand.yaml")
	if err != nil {
		return nil, nil, err
	}
	kit := map[string][]byte{"brand.yaml": files["brand.yaml"]}
	for _, f := range br.Files {
		kit[f.Name] = f.Data
	}
	return s.putBrand(ctx, br, kit, actor)
}

func (s *Service) putBrand(ctx context.Context, br *content.Brand, files map[string][]byte, actor string) (*content.Brand, *store.PutBrandResult, error) {
	res, err := s.db.PutBrand(ctx, br.ID, br.Name, files, actor, s.Plan(tasks.QueueLow), renderGroups())
	if err != nil {
		return nil, nil, fmt.Errorf("brand %s: %w", br.ID, err)
	}
	if err := s.Dispatch(ctx, res.Outbox); err != nil {
		s.log.Warn("enqueue after brand change failed; the reconciler will retry", "brand", br.ID, "err", err)
	}
	return br, res, nil
}

// renderGroups renders a brand change's items in groups, each in one
// items:render task (RenderItems): per task, the queue's and the outbox's
// costs are paid once for the group, not once per item.
func renderGroups() store.Grouping {
	return store.Grouping{
		Size: tasks.ItemsRenderMax,
		Task: func(hash string, items []store.ItemVersion) (store.Task, error) {
			pl := tasks.ItemsRenderPayload{BrandHash: hash}
			for _, it := range items {
				pl.Items = append(pl.Items, tasks.ItemRef{ItemID: it.ItemID, Version: it.Version})
			}
			return tasks.NewItemsRenderTask(pl, tasks.QueueLow)
		},
	}
}

// Rerender renders an item's latest version again with its brand's
// current kit.
func (s *Service) Rerender(ctx context.Context, itemID, actor string) error {
	out, err := s.db.Rerender(ctx, itemID, actor, s.Plan(tasks.QueueDefault))
	if err != nil {
		return err
	}
	if err := s.Dispatch(ctx, out); err != nil {
		s.log.Warn("enqueue after re-render failed; the reconciler will retry", "item", itemID, "err", err)
	}
	return nil
}
