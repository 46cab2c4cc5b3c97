package reader

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/crosscast/crosscast/store"
)

type unsubscribePage struct {
	Brand, Address string
	Done           bool
}

// unsubscribe handles /u/{token}. POST is RFC 8058's one-click
// unsubscribe: mail providers send it with the body
// List-Unsubscribe=One-Click, and it takes effect at once with no second
// step. GET, a person following the link, shows a page whose button
// sends that POST, so a link scanner's GET unsubscribes nobody.
func (rd *Reader) unsubscribe(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := r.PathValue("token")
	var page unsubscribePage
	var err error
	status := http.StatusOK
	if r.Method == http.MethodPost {
		page.Brand, page.Address, err = rd.svc.Unsubscribe(ctx, token)
		page.Done = err == nil
		if err == nil {
			rd.log.Info("unsubscribed", "brand", page.Brand)
		}
	} else {
		page.Brand, page.Address, err = rd.db.Subscriber(ctx, token)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		status = http.StatusNotFound
	case err != nil:
		rd.log.Error("unsubscribe", "err", err)
		http.Error(w, "Something went wrong on our side; please try again in a minute.", http.StatusServiceUnavailable)
		return
	}
	if b, err := rd.db.Brand(ctx, page.Brand); err == nil {
		page.Brand = b.Name
	}
	var buf bytes.Buffer
	if err := rd.pages.ExecuteTemplate(&buf, "unsubscribe.html.tmpl", page); err != nil {
		rd.log.Error("unsubscribe page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
