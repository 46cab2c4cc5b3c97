package reader

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/crosscast/crosscast/app"
	"github.com/crosscast/crosscast/renderers/signup"
	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

// SignUpPattern is the sign-up form's POST, meant to be sent from the
// brand's own site: like one-click unsubscribe it is exempt from
// cross-origin protection, and it can only ever ask for a confirmation
// email.
const SignUpPattern = "POST /s/{brand}"

// Honeypot is the sign-up form's field people never see nor fill in;
// a request that fills it is answered as a success and does nothing.
const Honeypot = signup.Honeypot

type signUpRequest struct {
	Address string   `json:"address"`
	Lang    string   `json:"lang"`
	Topics  []string `json:"topics"`
	Website string   `json:"website"`
	// Form is the form's version (renderers/signup), recorded with the
	// consent; one that is not a short line of text is dropped.
	Form string `json:"form"`
}

// signUp handles POST /s/{brand} as a form post or JSON. It answers the
// same whether the address is new, pending, subscribed or suppressed:
// nobody learns from it who is on the list.
func (rd *Reader) signUp(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	b := rd.brand(ctx, r.PathValue("brand"))
	isJSON := false
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
		isJSON = true
	}
	answer := func(status int, lang, title string, paras ...string) {
		if isJSON {
			w.Header().Set("Cache-Control", "no-store")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]string{"title": title, "message": strings.Join(paras, " ")})
			return
		}
		p := newPage(b, lang, title)
		p.Paragraphs = paras
		rd.render(w, status, p)
	}
	if b == nil {
		http.NotFound(w, r)
		return
	}
	var req signUpRequest
	body := http.MaxBytesReader(w, r.Body, 8<<10)
	if isJSON {
		if err := json.NewDecoder(io.LimitReader(body, 8<<10)).Decode(&req); err != nil {
			answer(http.StatusBadRequest, "", b.T(b.Lang, "sub_bad_address"))
			return
		}
	} else {
		if err := r.ParseForm(); err != nil {
			answer(http.StatusBadRequest, "", b.T(b.Lang, "sub_bad_address"))
			return
		}
		req = signUpRequest{Address: r.PostForm.Get("address"), Lang: r.PostForm.Get("lang"), Topics: r.PostForm["topics"], Website: r.PostForm.Get(Honeypot), Form: r.PostForm.Get(signup.FormField)}
	}
	lang := req.Lang
	if lang == "" {
		lang = b.Lang
	}
	if !rd.signups.Take(web.ClientHost(r), time.Now()) {
		w.Header().Set("Retry-After", "60")
		answer(http.StatusTooManyRequests, lang, b.T(lang, "sub_busy"))
		return
	}
	days := strconv.Itoa(int(app.ConfirmTTL / (24 * time.Hour)))
	double := b.Email.OptInConfirmed()
	done := func(lang, addr string) {
		if double {
			answer(http.StatusAccepted, lang, b.T(lang, "sub_check_title"), b.T(lang, "sub_check_text", "address", addr, "days", days))
		} else {
			answer(http.StatusAccepted, lang, b.T(lang, "sub_check_title"), b.T(lang, "sub_single_text", "address", addr))
		}
	}
	addr, err := store.NormalizeAddress(req.Address)
	if err != nil {
		answer(http.StatusUnprocessableEntity, lang, b.T(lang, "sub_bad_address"))
		return
	}
	if req.Website != "" {
		rd.log.Info("sign-up honeypot filled; ignored", "brand", b.ID)
		done(lang, addr)
		return
	}
	res, err := rd.svc.SignUp(ctx, app.SignUp{Brand: b.ID, Address: addr, Lang: req.Lang, Topics: req.Topics, Client: web.ClientHost(r), Form: formVersion(req.Form)})
	switch {
	case errors.Is(err, store.ErrInvalid):
		// A language or topic the brand has not: the form is wrong, not
		// the reader.
		answer(http.StatusUnprocessableEntity, lang, err.Error())
		return
	case err != nil:
		rd.log.Error("sign-up", "err", err)
		answer(http.StatusServiceUnavailable, lang, "Something went wrong on our side; please try again in a minute.")
		return
	}
	done(res.Lang, addr)
}

// confirm handles /s/{brand}/confirm/{link}: GET shows the button (mail
// scanners follow links), its POST confirms.
func (rd *Reader) confirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	b := rd.brand(ctx, r.PathValue("brand"))
	if b == nil {
		http.NotFound(w, r)
		return
	}
	link := r.PathValue("link")
	var sb *store.Subscriber
	var err error
	if r.Method == http.MethodPost {
		sb, err = rd.svc.Confirm(ctx, b.ID, link, web.ClientHost(r))
	} else {
		sb, _, err = rd.svc.CheckConfirmLink(ctx, b.ID, link)
	}
	if errors.Is(err, store.ErrNotFound) {
		p := newPage(b, "", b.T(b.Lang, "sub_link_bad_title"))
		p.Paragraphs = []string{b.T(b.Lang, "sub_link_bad_text")}
		rd.render(w, http.StatusNotFound, p)
		return
	}
	if err != nil {
		rd.log.Error("confirm", "err", err)
		http.Error(w, "Something went wrong on our side; please try again in a minute.", http.StatusServiceUnavailable)
		return
	}
	lang := sb.Lang
	if sb.Status == store.SubActive {
		p := newPage(b, lang, b.T(lang, "sub_confirmed_title"))
		p.Paragraphs = []string{b.T(lang, "sub_confirmed_text", "address", sb.Address)}
		rd.render(w, http.StatusOK, p)
		return
	}
	p := newPage(b, lang, b.T(lang, "sub_confirm_title"))
	p.Paragraphs = []string{b.T(lang, "sub_confirm_page_text", "address", sb.Address)}
	p.ConfirmForm = true
	rd.render(w, http.StatusOK, p)
}

// formVersion keeps a form version that is a short line of printable
// text; anything else is dropped and the default recorded: a consent
// record is no place for whatever a client posts.
func formVersion(v string) string {
	if len(v) > signup.MaxVersion {
		return ""
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f || r > 0x7e {
			return ""
		}
	}
	return v
}
