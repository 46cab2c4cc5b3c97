package api

import (
	"net/http"
	"strconv"
)

// getBrandIndexFile handles GET /api/brands/{id}/index/{file}: one file
// of the built index (a catalog page, a feed, the sitemap).
func (a *API) getBrandIndexFile(w http.ResponseWriter, r *http.Request) error {
	f, data, err := a.db.IndexFile(r.Context(), r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.MediaType)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'")
	w.Write(data)
	return nil
}
