package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/internal/memfs"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// Bundle is an item as a writer submits it: a Markdown file and the
// images next to it.
type Bundle struct {
	// Brand names the brand; empty means the front matter's brand:, or
	// the only brand there is.
	Brand string
	// Path is the Markdown file among Files; empty means index.md, or the
	// only .md file.
	Path   string
	Files  map[string][]byte // slash-separated paths inside the bundle
	Compat string            // "hugo" or "jekyll"; empty means the brand's
	Actor  string            // who submits: the audit log's name and a new item's owner
	Role   string            // the actor's role; see store.Submission.Role
	// ItemID, when set, names the stored item this is a new version of
	// (the editor's edit form): the item keeps its identity whatever the
	// title or slug now say, and a changed slug leaves a redirect from
	// the old address. Empty derives the item from brand, lang and id.
	ItemID string
}

// Submitted tells the writer what became of a submission.
type Submitted struct {
	ItemID   string               `json:"id"`
	Version  int                  `json:"version"`
	Created  bool                 `json:"created"`
	Warnings []content.Diagnostic `json:"warnings"`
}

// ItemID is how the store names an item: its brand, language and
// content id (the front matter id, else the slug), so translations are
// separate items and a later submission of the same id is a new version.
func ItemID(brand, lang, contentID string) string {
	return brand + "." + lang + "." + contentID
}

// Submit validates a bundle, stores it as a new version with its planned
// renderings and outbox rows in one transaction, then enqueues the
// renders. Invalid input returns content.Errors and stores nothing. A
// failed enqueue is not an error: the version is committed and the
// reconciler enqueues it from the outbox.
func (s *Service) Submit(ctx context.Context, b Bundle) (*Submitted, error) {
	pb, err := s.parse(ctx, b)
	if err != nil {
		return nil, err
	}
	if b.ItemID != "" {
		if pb, err = s.keepIdentity(ctx, b, pb); err != nil {
			return nil, err
		}
	}
	it, brandID, brandHash, name, compat := pb.item, pb.brandID, pb.brandHash, pb.name, pb.compat
	itemID, contentID := ItemID(brandID, it.Lang, it.ID), it.ID
	if pb.stored != nil {
		itemID, contentID = pb.stored.ID, pb.stored.ContentID
	}
	assets := map[string][]byte{}
	for _, im := range it.Images {
		if im.Asset != nil {
			assets[im.Asset.Name] = im.Asset.Data
		}
	}
	sub := store.Submission{
		ItemID: itemID, Brand: brandID, BrandHash: brandHash,
		Lang: it.Lang, Slug: it.Slug, ContentID: contentID, Title: it.Title,
		Path: name, Compat: compat, Source: it.Source, VersionHash: it.SourceHash, Assets: assets, Actor: b.Actor, Role: b.Role,
	}
	res, err := s.db.Submit(ctx, sub, s.Plan(tasks.QueueCritical))
	if err != nil {
		return nil, err
	}
	if err := s.Dispatch(ctx, res.Outbox); err != nil {
		s.log.Warn("enqueue after submit failed; the reconciler will retry", "item", res.ItemID, "version", res.Version, "err", err)
	}
	s.log.Info("submitted", "item", res.ItemID, "version", res.Version, "created", res.Created, "actor", b.Actor)
	return &Submitted{ItemID: res.ItemID, Version: res.Version, Created: res.Created, Warnings: it.Warnings}, nil
}

// DefaultValidateTimeout bounds checking a submission or a draft inside
// its HTTP request. Parsing is bounded by the content package's limits;
// what stays is decoding every image in full, which for the largest
// valid item (50 photos of 24 MP) takes about 17 s of CPU, so this is a
// backstop above that.
const DefaultValidateTimeout = 30 * time.Second

// DraftRenderTimeout bounds rendering a draft's four channels for the
// live preview, inside its request. Rendering costs far more than
// checking (a photo is resized for every channel), so it gets its own
// bound, still far below a render task's two minutes.
const DraftRenderTimeout = 30 * time.Second

// errValidateTimeout is the cause of our own deadline, told apart from
// the client going away.
var errValidateTimeout = errors.New("validation deadline")

// withValidateDeadline bounds ctx by the service's validation timeout.
func (s *Service) withValidateDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeoutCause(ctx, s.validateTimeout, errValidateTimeout)
}

// timeoutError turns our own deadline into an error about the input;
// the client's cancellation stays as it is.
func timeoutError(ctx context.Context, name, doing string, limit time.Duration, err error) error {
	if errors.Is(context.Cause(ctx), errValidateTimeout) {
		return content.Errors{{File: name, Code: content.ETooLarge,
			Message: fmt.Sprintf("%s took longer than %v; make it smaller or simpler", doing, limit)}}
	}
	return err
}

// parsed is a bundle checked and parsed with its brand's settings.
type parsed struct {
	item               *content.Item
	brand              *content.Brand
	brandID, brandHash string
	name, compat       string
	stored             *store.Item // the item a Bundle.ItemID names
}

// parse checks a bundle's file names, finds its brand and parses the
// item with the brand's settings; bad input is content.Errors.
func (s *Service) parse(ctx context.Context, b Bundle) (*parsed, error) {
	if err := checkNames(b.Files); err != nil {
		return nil, err
	}
	name, err := markdownFile(b)
	if err != nil {
		return nil, err
	}
	ctx, cancel := s.withValidateDeadline(ctx)
	defer cancel()
	pb, err := s.parseBundle(ctx, b, name)
	if ctx.Err() != nil {
		return nil, timeoutError(ctx, name, "checking the item", s.validateTimeout, ctx.Err())
	}
	return pb, err
}

func (s *Service) parseBundle(ctx context.Context, b Bundle, name string) (*parsed, error) {
	fsys := memfs.FS(b.Files)
	brandID := b.Brand
	if brandID == "" {
		// Read the front matter once without brand settings, only to
		// learn which brand it names.
		first, err := content.ParseBytesContext(ctx, fsys, name, b.Files[name], content.ParseOptions{Compat: b.Compat})
		if err != nil {
			return nil, err
		}
		brandID = first.Brand
	}
	if brandID == "" {
		brands, err := s.db.Brands(ctx)
		if err != nil {
			return nil, err
		}
		if len(brands) != 1 {
			return nil, content.Errors{{File: name, Field: "brand", Code: content.EInvalid,
				Message: "name the brand: set brand: in the front matter or the brand field of the request (" + brandList(brands) + ")"}}
		}
		brandID = brands[0].ID
	}
	brand, brandHash, err := s.brands.Current(ctx, brandID)
	if errors.Is(err, store.ErrNotFound) {
		brands, _ := s.db.Brands(ctx)
		return nil, content.Errors{{File: name, Field: "brand", Code: content.EInvalid,
			Message: fmt.Sprintf("unknown brand %q (%s)", brandID, brandList(brands))}}
	}
	if err != nil {
		return nil, err
	}
	compat := b.Compat
	if compat == "" {
		compat = brand.Compat
	}
	it, err := content.ParseBytesContext(ctx, fsys, name, b.Files[name], content.ParseOptions{Compat: compat, DefaultLang: brand.Lang, Shortcodes: brand.CompatShortcodes, Brand: brand})
	if err != nil {
		return nil, err
	}
	if it.Brand != "" && it.Brand != brandID {
		return nil, content.Errors{{File: name, Field: "brand", Code: content.EInvalid,
			Message: fmt.Sprintf("the front matter says brand %q but the item was submitted to %q", it.Brand, brandID)}}
	}
	return &parsed{item: it, brand: brand, brandID: brandID, brandHash: brandHash, name: name, compat: compat}, nil
}

func brandList(brands []store.BrandInfo) string {
	if len(brands) == 0 {
		return "no brand is configured"
	}
	ids := make([]string, len(brands))
	for i, b := range brands {
		ids[i] = b.ID
	}
	return "brands: " + strings.Join(ids, ", ")
}

// checkNames rejects bundle file names that could escape the bundle or
// confuse a file system: absolute, .., backslashes, empty parts.
func checkNames(files map[string][]byte) error {
	var errs content.Errors
	for _, n := range slices.Sorted(maps.Keys(files)) {
		if !fs.ValidPath(n) || n == "." || strings.ContainsAny(n, "\\\x00:") || path.Clean(n) != n {
			errs = append(errs, content.Diagnostic{File: n, Code: content.EInvalid,
				Message: "file names must be relative paths inside the bundle (no leading /, no .., no backslashes)"})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	if len(files) == 0 {
		return content.Errors{{File: "(request)", Code: content.EInvalid, Message: "no files were submitted"}}
	}
	return nil
}

func markdownFile(b Bundle) (string, error) {
	if b.Path != "" {
		if _, ok := b.Files[b.Path]; !ok {
			return "", content.Errors{{File: b.Path, Code: content.ENotFound, Message: "the Markdown file named by path is not among the submitted files"}}
		}
		return b.Path, nil
	}
	if _, ok := b.Files["index.md"]; ok {
		return "index.md", nil
	}
	var mds []string
	for n := range b.Files {
		if strings.HasSuffix(n, ".md") && !strings.Contains(n, "/") {
			mds = append(mds, n)
		}
	}
	if len(mds) == 1 {
		return mds[0], nil
	}
	slices.Sort(mds)
	return "", content.Errors{{File: "(request)", Code: content.EInvalid,
		Message: fmt.Sprintf("cannot tell which file is the item: send index.md, exactly one .md file, or name it with path (got %v)", mds)}}
}
