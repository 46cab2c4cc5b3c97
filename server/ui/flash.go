package ui

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/crosscast/crosscast/server/web"
)

// A flash is the line that says what an action did, shown once on the
// page the action redirects to. It travels in a short-lived cookie the
// server signs, never in the URL: a link cannot put words on a page.
const (
	flashCookie = "cc_flash"
	flashTTL    = time.Minute
)

// flash is the line a page shows once; an Error is what could not be
// done, shown as an alert.
type flash struct {
	Text  string
	Error bool
}

// The cookie's value is kind, then the message in base64, then a MAC of
// both: a flash cannot be turned from an error into a notice or back.
const (
	flashInfo  = "i"
	flashError = "e"
)

// setFlash sets msg for the next page this browser opens.
func (ui *UI) setFlash(w http.ResponseWriter, r *http.Request, msg string) {
	ui.putFlash(w, r, flashInfo, msg)
}

// setFlashError sets msg, something that was not done, for the next page.
func (ui *UI) setFlashError(w http.ResponseWriter, r *http.Request, msg string) {
	ui.putFlash(w, r, flashError, msg)
}

func (ui *UI) putFlash(w http.ResponseWriter, r *http.Request, kind, msg string) {
	key, err := ui.key(r.Context())
	if err != nil || msg == "" {
		if err != nil {
			ui.log.Warn("flash not set", "err", err)
		}
		return
	}
	v := kind + base64.RawURLEncoding.EncodeToString([]byte(msg))
	http.SetCookie(w, &http.Cookie{
		Name: flashCookie, Value: v + "." + flashMAC(key, v), Path: "/", MaxAge: int(flashTTL.Seconds()),
		HttpOnly: true, Secure: web.Secure(r), SameSite: http.SameSiteLaxMode,
	})
}

// takeFlash returns the flash the request carries, if its signature
// holds, and clears it so it shows once: a reload shows no flash.
func (ui *UI) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: web.Secure(r), SameSite: http.SameSiteLaxMode})
	v, mac, ok := strings.Cut(c.Value, ".")
	key, err := ui.key(r.Context())
	if !ok || err != nil || v == "" || !hmac.Equal([]byte(mac), []byte(flashMAC(key, v))) {
		return nil
	}
	kind, text := v[:1], v[1:]
	msg, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || (kind != flashInfo && kind != flashError) || len(msg) == 0 {
		return nil
	}
	return &flash{Text: string(msg), Error: kind == flashError}
}

func flashMAC(key []byte, v string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("flash\x00" + v)) // a domain apart from preview signatures
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}
