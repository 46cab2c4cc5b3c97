package server

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
)

// sitesCSP sandboxes everything under /sites: the files are a brand's
// (its SVG logo, pages built from writers' items) but are served on the
// UI's origin, so no script in them may run there, even in a file opened
// directly. Styles, images and fonts still load, as on the real host.
const sitesCSP = "sandbox; script-src 'none'; object-src 'none'; base-uri 'none'"

// maxSitePage bounds the HTML page read into memory to point its links
// at the local copy; a bigger one is served as published.
const maxSitePage = 16 << 20

// SiteBase returns the base URL of a brand's published site.
type SiteBase func(ctx context.Context, brand string) (string, error)

// sites serves the published static sites under /sites/{brand}/, as a
// preview of what a static host would serve. Folders without an
// index.html are not listed.
//
// The published pages link absolutely to the brand's real domain, as
// they must once copied to its host; here each HTML page's href, src and
// srcset values that start with the brand's base URL are pointed at
// /sites/{brand}/ instead, so the local copy can be clicked through.
// The files on disk are never changed. base may be nil (no rewriting).
func sites(root string, base SiteBase) http.Handler {
	files := http.FileServer(http.Dir(root))
	return http.StripPrefix("/sites", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := path.Clean("/" + r.URL.Path)
		name := p
		if strings.HasSuffix(r.URL.Path, "/") {
			name = path.Join(p, "index.html")
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(name))); err != nil {
				http.NotFound(w, r)
				return
			}
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", sitesCSP)
		brand, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
		if base != nil && brand != "" && strings.HasSuffix(name, ".html") && !strings.HasSuffix(r.URL.Path, "/index.html") {
			if site, err := base(r.Context(), brand); err == nil && site != "" && serveLocal(w, r, filepath.Join(root, filepath.FromSlash(name)), site, "/sites/"+brand+"/") {
				return
			}
		}
		files.ServeHTTP(w, r)
	}))
}

// serveLocal serves the HTML page at file with its links to site pointed
// at local; false when the page cannot be read that way.
func serveLocal(w http.ResponseWriter, r *http.Request, file, site, local string) bool {
	st, err := os.Stat(file)
	if err != nil || !st.Mode().IsRegular() || st.Size() > maxSitePage {
		return false
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	http.ServeContent(w, r, "", st.ModTime(), bytes.NewReader(localLinks(data, site, local)))
	return true
}

var linkAttr = regexp.MustCompile(`\s(?:href|src|srcset)="[^"]*"`)

// localLinks points every link to site (a base URL without a trailing
// slash) in html's href, src and srcset attributes at the prefix local
// (ending in a slash). Other mentions of the site (canonical JSON-LD,
// Open Graph tags, text) stay as published.
func localLinks(html []byte, site, local string) []byte {
	prefix := []byte(site + "/")
	exact := []byte(`"` + site + `"`)
	return linkAttr.ReplaceAllFunc(html, func(attr []byte) []byte {
		if !bytes.Contains(attr, []byte(site)) {
			return attr
		}
		attr = bytes.ReplaceAll(attr, exact, []byte(`"`+local+`"`))
		return bytes.ReplaceAll(attr, prefix, []byte(local))
	})
}
