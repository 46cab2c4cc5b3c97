package server

import (
	"net/http"
	"strconv"
)

type indexJSON struct {
	Brand  string     `json:"brand"`
	Wanted int        `json:"changes"`
	Built  int        `json:"built_through"`
	Builds int        `json:"builds"`
	Error  string     `json:"error,omitempty"`
	Files  []fileJSON `json:"files"`
}

// getBrandIndex handles GET /api/brands/{id}/index: the state of a
// brand's catalog index and feeds, and their files.
func (s *Server) getBrandIndex(w http.ResponseWriter, r *http.Request) {
	bi, err := s.db.BrandIndex(r.Context(), r.PathValue("id"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	out := indexJSON{Brand: bi.BrandID, Wanted: bi.Wanted, Built: bi.Built, Builds: bi.Builds, Error: bi.Error, Files: []fileJSON{}}
	for _, f := range bi.Files {
		out.Files = append(out.Files, fileJSON{Name: f.Name, MediaType: f.MediaType, Size: f.Size,
			URL: "/api/brands/" + bi.BrandID + "/index/" + f.Name})
	}
	writeJSON(w, http.StatusOK, out)
}

// getBrandIndexFile handles GET /api/brands/{id}/index/{file}: one file
// of the built index (a catalog page, a feed, the sitemap).
func (s *Server) getBrandIndexFile(w http.ResponseWriter, r *http.Request) {
	f, data, err := s.db.IndexFile(r.Context(), r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		s.error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.MediaType)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'")
	w.Write(data)
}
