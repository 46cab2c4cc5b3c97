package reader

import (
	"errors"
	"net/http"

	"github.com/crosscast/crosscast/store"
)

// redirect handles GET /r/{code}: a tracked link. It counts the click and
// sends the browser on with a 302. Nothing about the visitor is kept.
func (rd *Reader) redirect(w http.ResponseWriter, r *http.Request) {
	url, err := rd.svc.Click(r.Context(), r.PathValue("code"))
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		rd.log.Error("click", "err", err)
		http.Error(w, "try again later", http.StatusServiceUnavailable)
		return
	}
	// An A/B test's email links carry the recipient's click token (t),
	// which counts them once; a failure to count does not stop the reader.
	if tok := r.URL.Query().Get("t"); tok != "" {
		if err := rd.svc.ExperimentClick(r.Context(), r.PathValue("code"), tok); err != nil {
			rd.log.Warn("A/B test click", "err", err)
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, url, http.StatusFound)
}
