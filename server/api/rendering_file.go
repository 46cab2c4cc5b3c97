package api

import (
	"net/http"
	"strconv"

	"github.com/crosscast/crosscast/store"
)

// getRenderingFile handles GET /api/items/{id}/renderings/{channel}/{file}:
// one rendered file. HTML is served sandboxed: no script in content runs,
// even when someone opens the URL directly.
func (a *API) getRenderingFile(w http.ResponseWriter, r *http.Request) error {
	it, v, err := a.itemVersion(r)
	if err != nil {
		return err
	}
	k := store.RenderKey{ItemID: it.ID, Version: v, Channel: r.PathValue("channel")}
	f, data, err := a.db.RenderingFile(r.Context(), k, r.PathValue("file"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", f.MediaType)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'")
	h.Set("ETag", `"`+f.SHA256+`"`)
	if r.Header.Get("If-None-Match") == `"`+f.SHA256+`"` {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	w.Write(data)
	return nil
}
