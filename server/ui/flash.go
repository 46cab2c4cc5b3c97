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

// setFlash sets msg for the next page this browser opens.
func (ui *UI) setFlash(w http.ResponseWriter, r *http.Request, msg string) {
	key, err := ui.key(r.Context())
	if err != nil || msg == "" {
		if err != nil {
			ui.log.Warn("flash not set", "err", err)
		}
		return
	}
	v := base64.RawURLEncoding.EncodeToString([]byte(msg))
	http.SetCookie(w, &http.Cookie{
		Name: flashCookie, Value: v + "." + flashMAC(key, v), Path: "/", MaxAge: int(flashTTL.Seconds()),
		HttpOnly: true, Secure: web.Secure(r), SameSite: http.SameSiteLaxMode,
	})
}

// takeFlash returns the flash the request carries, if its signature
// holds, and clears it so it shows once.
func (ui *UI) takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: web.Secure(r), SameSite: http.SameSiteLaxMode})
	v, mac, ok := strings.Cut(c.Value, ".")
	key, err := ui.key(r.Context())
	if !ok || err != nil || !hmac.Equal([]byte(mac), []byte(flashMAC(key, v))) {
		return ""
	}
	msg, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return ""
	}
	return string(msg)
}

func flashMAC(key []byte, v string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("flash\x00" + v)) // a domain apart from preview signatures
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}
