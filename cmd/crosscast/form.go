package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/signup"
)

// form implements `crosscast form --brand ID`: it prints the sign-up form
// the portal pages carry, for pasting into the brand's own site. It is
// the same template, posting to this installation's /s/<brand>.
func (m *Main) form(cfg Config, args []string) error {
	fset := flag.NewFlagSet("form", flag.ContinueOnError)
	id := fset.String("brand", "", "the brand's `id`, as in its brand.yaml")
	brands := fset.String("brands", cfg.Brands, "`folder` of brand kits (each holding brand.yaml); default CROSSCAST_BRANDS or ./brands")
	public := fset.String("url", cfg.PublicURL, "the server's public `URL` the form posts to; default CROSSCAST_PUBLIC_URL")
	lang := fset.String("lang", "", "the form's `language`; default the brand's")
	if err := m.parseFlags(fset, args, 0, 0); err != nil {
		return err
	}
	if *id == "" {
		return usageError{"form: --brand is required"}
	}
	if *public == "" {
		return usageError{"form: the form must post to the server: set --url or " + envPublicURL}
	}
	if err := checkPublicURL(*public); err != nil {
		return usageError{"form: --url " + err.Error()}
	}
	dir := *brands
	if dir == "" {
		dir = "brands"
	}
	b, err := findBrand(dir, *id)
	if err != nil {
		return err
	}
	if *lang == "" {
		*lang = b.Lang
	}
	sn, err := signup.NewSnippets()
	if err != nil {
		return err
	}
	return sn.Write(m.Stdout, signup.New(b, *lang, signup.Action(*public, b.ID), signup.VersionSnippet))
}

// findBrand loads the kit under dir whose brand.yaml has id.
func findBrand(dir, id string) (*content.Brand, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("brands: %w", err)
	}
	var ids []string
	for _, e := range entries {
		kit := filepath.Join(dir, e.Name())
		if _, err := os.Stat(filepath.Join(kit, "brand.yaml")); !e.IsDir() || err != nil {
			continue
		}
		b, err := content.LoadBrandDir(kit)
		if err != nil {
			return nil, err
		}
		if b.ID == id {
			return b, nil
		}
		ids = append(ids, b.ID)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("brands: %s holds no brand kit (a folder with brand.yaml)", dir)
	}
	return nil, fmt.Errorf("brands: no brand %q in %s (it has %v)", id, dir, ids)
}

// checkPublicURL accepts an absolute http(s) URL with a host and nothing
// after the path, the base a form's action is made from.
func checkPublicURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Errorf("%q is not a URL: %w", s, err)
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		return fmt.Errorf("%q must be an absolute https:// URL, like https://news.example.com", s)
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return fmt.Errorf("%q must have no query, fragment or user", s)
	}
	return nil
}
