package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/email"
	"github.com/crosscast/crosscast/renderers/images"
	"github.com/crosscast/crosscast/store"
)

// digest implements `crosscast digest preview --brand ID`.
func (m *Main) digest(ctx context.Context, cfg Config, args []string) error {
	if len(args) > 0 && isHelp(args[0]) {
		groupUsage(m.Stdout, "digest")
		return flag.ErrHelp
	}
	if len(args) == 0 {
		return usageError{"digest: the only subcommand is preview"}
	}
	if args[0] != "preview" {
		return usageError{fmt.Sprintf("digest: unknown subcommand %q; the only one is preview", args[0])}
	}
	fset := flag.NewFlagSet("digest preview", flag.ContinueOnError)
	brand := fset.String("brand", "", "the stored brand's `id`")
	only := fset.String("digest", "", "preview only the digest with this `id`")
	sinceArg := fset.String("since", "", "gather items published since `DATE` (2026-11-23 in the digest's zone, or RFC 3339)")
	out := fset.String("o", "out/digest", "output `folder`")
	if err := m.parseFlags(fset, args[1:], 0, 0); err != nil {
		return err
	}
	if *brand == "" {
		return usageError{"digest preview: --brand is required"}
	}
	// Open without migrating: a preview reads the store and writes
	// nothing to it.
	db, err := store.Open(ctx, cfg.databaseDSN())
	if err != nil {
		return err
	}
	defer db.Close()
	sh, err := sharedParts(&images.Cache{})
	if err != nil {
		return err
	}
	er, err := email.Descriptor().New(sh)
	if err != nil {
		return err
	}
	svc := app.New(app.Config{Store: db, Renderers: []renderers.Renderer{er}})
	b, _, err := app.NewBrands(db).Current(ctx, *brand)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("digest preview: no brand %q in the store (import it with serve --brands)", *brand)
	}
	if err != nil {
		return err
	}
	ids := b.DigestIDs()
	if *only != "" {
		ids = []string{*only}
	}
	if len(ids) == 0 {
		return fmt.Errorf("digest preview: brand %s declares no digests: in brand.yaml", b.ID)
	}
	for _, id := range ids {
		d := b.Digests[id]
		if d == nil {
			return usageError{fmt.Sprintf("digest preview: brand %s has no digest %q (its digests: %s)", b.ID, id, strings.Join(b.DigestIDs(), ", "))}
		}
		since, err := parseSince(*sinceArg, d)
		if err != nil {
			return usageError{"digest preview: --since " + err.Error()}
		}
		files, n, err := svc.PreviewDigest(ctx, b.ID, id, since)
		if err != nil {
			return err
		}
		if n == 0 {
			fmt.Fprintf(m.Stdout, "%s: nothing published since then; the run would be recorded skipped\n", id)
			continue
		}
		dir := filepath.Join(*out, id)
		if err := writePreview(dir, files); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s: %d item(s) → %s\n", id, n, filepath.Join(dir, "email", email.HTMLFile))
	}
	return nil
}

// parseSince reads --since: a date (midnight in the digest's zone) or an
// RFC 3339 time; "" is zero, the digest's own period.
func parseSince(s string, d *content.Digest) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, d.When.Loc); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a date like 2026-11-23 or a time like 2026-11-23T08:00:00+01:00", s)
	}
	return t, nil
}

// writePreview writes files below dir, the email's picture links made
// relative so the page shows them from the folder before the digest is
// published.
func writePreview(dir string, files []renderers.File) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for _, f := range files {
		data := f.Data
		if f.Name == "email/"+email.HTMLFile {
			data = []byte(relativeImages(string(data)))
		}
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// relativeImages points the email's <img src> at ./images/.
func relativeImages(page string) string {
	const marker = "/email/" + email.ImageDir
	var b strings.Builder
	for {
		i := strings.Index(page, `src="`)
		if i < 0 {
			b.WriteString(page)
			return b.String()
		}
		b.WriteString(page[:i+5])
		page = page[i+5:]
		end := strings.IndexByte(page, '"')
		if end < 0 {
			b.WriteString(page)
			return b.String()
		}
		src := page[:end]
		if j := strings.Index(src, marker); j >= 0 {
			src = email.ImageDir + src[j+len(marker):]
		}
		b.WriteString(src)
		page = page[end:]
	}
}
