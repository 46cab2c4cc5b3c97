package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/ingest"
	"github.com/crosscast/crosscast/internal/safefs"
	"github.com/crosscast/crosscast/store"
)

// Limits on one folder source's run.
const (
	MaxFolderPages  = 5000     // pages imported per run; the rest wait for the next
	MaxBundleFiles  = 100      // files of one Hugo leaf bundle
	MaxBundleBytes  = 64 << 20 // bytes of one bundle
	maxFolderSource = 4 << 20  // bytes of one page's Markdown
)

// FolderSource is a folder source of a brand, for the worker's watcher.
type FolderSource struct {
	Brand  string
	Source content.Source
}

// FolderSources lists every brand's folder sources.
func (s *Service) FolderSources(ctx context.Context) ([]FolderSource, error) {
	all, err := s.Sources(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []FolderSource
	for _, src := range all {
		if src.Kind == content.SourceFolder {
			out = append(out, FolderSource{Brand: src.Brand, Source: src.Source})
		}
	}
	return out, nil
}

// ImportFolder imports a folder source now (the watcher saw a change)
// and records the run: every page becomes an item version unless it is
// unchanged, which the store's dedupe makes a no-op, so nothing is
// posted twice. removed are pages the watcher saw deleted: they are
// reported, and their items left as they are.
func (s *Service) ImportFolder(ctx context.Context, brandID, id string, removed []string) (*SourceReport, error) {
	brand, src, err := s.source(ctx, brandID, id)
	if err != nil {
		return nil, err
	}
	rep, runErr := s.runSource(ctx, brand, src, ingest.Conditional{}, false)
	if runErr != nil && !errors.As(runErr, new(sourceFault)) {
		return nil, runErr
	}
	now := s.now()
	run := store.SourceRun{Brand: brandID, ID: id, Kind: src.Kind, At: now, Status: store.SourceOK, NextRun: now.Add(nextDelay(src.Interval, 0))}
	if st, err := s.db.SourceState(ctx, brandID, id); err == nil && st.NextRun.After(now) {
		run.NextRun = st.NextRun // the planned poll stays planned
	}
	if runErr != nil {
		run.Status, run.Error, run.Failures = store.SourceFailed, runErr.Error(), 1
	} else {
		run.Created, run.Updated = rep.Count(SourceCreate), rep.Count(SourceUpdate)
		for _, f := range removed {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("%s was deleted from the folder; its item (id %s) is left as it is: unpublish it in the editor if it should go", f, ingest.ContentID(id, "file:"+f)))
		}
		run.Note = rep.note()
	}
	if err := s.db.RecordSourceRun(ctx, run); err != nil {
		return nil, err
	}
	if runErr != nil {
		return nil, runErr
	}
	s.log.Info("folder imported", "brand", brandID, "source", id, "created", run.Created, "updated", run.Updated, "removed", len(removed))
	return rep.SourceReport, nil
}

func (s *Service) importFolder(ctx context.Context, brand *content.Brand, src content.Source, rep *runResult, dry bool) error {
	root, err := safefs.OpenDir(src.Path)
	if err != nil {
		return sourceFault{fmt.Errorf("folder %s: %w", src.Path, err)}
	}
	defer root.Close()
	site, err := content.WalkSite(root, content.SiteOptions{Compat: src.Compat, Now: s.now(), DefaultLang: brand.Lang})
	if err != nil {
		return sourceFault{fmt.Errorf("folder %s: %w", src.Path, err)}
	}
	n := 0
	for _, p := range site.Pages {
		if err := ctx.Err(); err != nil {
			return err
		}
		if p.Skip != "" {
			continue // a draft, future or expired page, as the generator skips it
		}
		if n++; n > MaxFolderPages {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("the folder has more than %d pages; the rest wait for the next run", MaxFolderPages))
			break
		}
		if p.Err != nil {
			rep.Entries = append(rep.Entries, SourceEntry{Key: "file:" + p.File, Title: p.File, Action: SourceSkip, Reason: p.Err.Message})
			continue
		}
		se, err := s.importPage(ctx, brand, src, root, p, dry)
		if err != nil {
			return err
		}
		rep.Entries = append(rep.Entries, se)
	}
	return nil
}

// importPage makes (or, dry, compares) the item of one page of a folder.
func (s *Service) importPage(ctx context.Context, brand *content.Brand, src content.Source, root fs.FS, p *content.SitePage, dry bool) (SourceEntry, error) {
	key := "file:" + p.File
	se := SourceEntry{Key: key, Title: p.File}
	b, err := pageBundle(root, p, src, ingest.ContentID(src.ID, key))
	if err != nil {
		se.Action, se.Reason = SourceSkip, err.Error()
		return se, nil
	}
	b.Brand, b.Actor = brand.ID, SourceActor(src.ID)
	pb, err := s.parse(ctx, b)
	var ce content.Errors
	if errors.As(err, &ce) {
		se.Action, se.Reason = SourceSkip, ce.Error()
		return se, nil
	}
	if err != nil {
		return se, err
	}
	it := pb.item
	se.ItemID, se.Title = ItemID(brand.ID, it.Lang, it.ID), it.Title
	for _, w := range it.Warnings {
		se.Warnings = append(se.Warnings, w.String())
	}
	if !src.KeepsTags(it.Tags) {
		se.Action, se.Reason = SourceSkip, reasonTags
		return se, nil
	}
	stored, latest, err := s.ownedItem(ctx, se.ItemID, b.Actor)
	if errors.As(err, new(notOwned)) {
		se.Action, se.Reason = SourceSkip, err.Error()
		return se, nil
	}
	if err != nil {
		return se, err
	}
	if stored == nil && !src.SinceTime.IsZero() && it.Date.Before(src.SinceTime) {
		se.Action, se.Reason = SourceSkip, reasonSince
		return se, nil
	}
	if latest != nil && latest.VersionHash == it.SourceHash && latest.BrandHash == pb.brandHash {
		se.Action, se.Version = SourceUnchanged, latest.Version
		return se, nil
	}
	se.Action = SourceCreate
	if stored != nil {
		se.Action = SourceUpdate
	}
	if dry {
		return se, nil
	}
	res, err := s.Submit(ctx, b)
	if errors.As(err, &ce) {
		se.Action, se.Reason = SourceSkip, ce.Error()
		return se, nil
	}
	if err != nil {
		return se, err
	}
	se.Version = res.Version
	if !res.Created {
		se.Action = SourceUnchanged
	}
	return se, nil
}

// pageBundle reads a page (and, for a Hugo leaf bundle, the files beside
// its index.md) into a bundle, writing into its front matter what the
// site gives it and the server cannot know: its id (stable per file),
// slug, language and date, and what a section's cascade hands it.
func pageBundle(root fs.FS, p *content.SitePage, src content.Source, contentID string) (Bundle, error) {
	raw, err := safefs.ReadFile(root, p.File, maxFolderSource)
	if err != nil {
		return Bundle{}, err
	}
	if src.Compat == content.CompatHugo {
		raw = content.HugoHeaderAsYAML(raw)
	}
	fields := []pageField{{"id", contentID}}
	if p.Slug != "" {
		fields = append(fields, pageField{"slug", p.Slug})
	}
	if p.Lang != "" {
		fields = append(fields, pageField{"lang", p.Lang})
	}
	if !p.Date.IsZero() {
		fields = append(fields, pageField{"date", p.Date.Format("2006-01-02")})
	}
	for k, v := range p.Cascade {
		fields = append(fields, pageField{k, v})
	}
	raw = addPageFields(raw, fields)
	name := path.Base(p.File)
	b := Bundle{Path: name, Files: map[string][]byte{name: raw}, Compat: src.Compat}
	if name != "index.md" {
		return b, nil
	}
	dir := path.Dir(p.File)
	total := int64(len(raw))
	err = fs.WalkDir(root, dir, func(fp string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || fp == p.File || strings.HasSuffix(fp, ".md") || !d.Type().IsRegular() {
			return nil
		}
		if len(b.Files) >= MaxBundleFiles {
			return fmt.Errorf("%s: the bundle has more than %d files", dir, MaxBundleFiles)
		}
		data, err := safefs.ReadFile(root, fp, MaxBundleBytes-total)
		if err != nil {
			return err
		}
		total += int64(len(data))
		rel := strings.TrimPrefix(fp, dir+"/")
		if dir == "." {
			rel = fp
		}
		b.Files[rel] = data
		return nil
	})
	return b, err
}

type pageField struct {
	key   string
	value any
}

// addPageFields adds each field src's YAML front matter does not set,
// just above its closing ---.
func addPageFields(src []byte, fields []pageField) []byte {
	lines := bytes.SplitAfter(src, []byte("\n"))
	if len(lines) < 2 || strings.TrimRight(string(lines[0]), " \t\r\n") != "---" {
		// No front matter: make one with the fields.
		var add []byte
		for _, f := range fields {
			if v, err := yaml.Marshal(map[string]any{f.key: f.value}); err == nil {
				add = append(add, v...)
			}
		}
		return append(append(append([]byte("---\n"), add...), "---\n"...), src...)
	}
	for i := 1; i < len(lines); i++ {
		l := strings.TrimRight(string(lines[i]), " \t\r\n")
		if l != "---" && l != "..." {
			for j := 0; j < len(fields); j++ {
				if strings.HasPrefix(l, fields[j].key+":") {
					fields = append(fields[:j], fields[j+1:]...)
					j--
				}
			}
			continue
		}
		var add []byte
		for _, f := range fields {
			v, err := yaml.Marshal(map[string]any{f.key: f.value})
			if err != nil {
				return src
			}
			add = append(add, v...)
		}
		out := bytes.Join(lines[:i], nil)
		out = append(out, add...)
		return append(out, bytes.Join(lines[i:], nil)...)
	}
	return src
}
