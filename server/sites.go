package server

import (
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// sites serves the published static sites under /sites/{brand}/, as a
// preview of what a static host would serve. Folders without an
// index.html are not listed.
func (s *Server) sites(root string) http.Handler {
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
		files.ServeHTTP(w, r)
	}))
}
