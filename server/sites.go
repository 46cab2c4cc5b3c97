package server

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// sitesCSP sandboxes everything under /sites: the files are a brand's
// (its SVG logo, pages built from writers' items) but are served on the
// UI's origin, so no script in them may run there, even in a file opened
// directly. Styles, images and fonts still load, as on the real host.
const sitesCSP = "sandbox; script-src 'none'; object-src 'none'; base-uri 'none'"

// sites serves the published static sites under /sites/{brand}/, as a
// preview of what a static host would serve. Folders without an
// index.html are not listed.
func sites(root string) http.Handler {
	files := http.FileServer(http.Dir(root))
	return http.StripPrefix("/sites", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := path.Clean("/" + r.URL.Path)
		if strings.HasSuffix(r.URL.Path, "/") {
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(p), "index.html")); err != nil {
				http.NotFound(w, r)
				return
			}
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", sitesCSP)
		files.ServeHTTP(w, r)
	}))
}
