package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

type loginPage struct {
	Name, Next, Error string
}

// login handles GET and POST /login. A successful login always starts a
// new session (the old cookie's session is ended), so a session id
// planted before login is worthless after it.
func (ui *UI) login(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.FormValue("next"))
	if r.Method == http.MethodGet {
		if u, err := ui.auth.SessionUser(r); err == nil && u != nil {
			http.Redirect(w, r, next, http.StatusSeeOther)
			return nil
		}
		ui.html(w, r, http.StatusOK, "login", loginPage{Next: next})
		return nil
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	page := loginPage{Name: name, Next: next}
	host := web.ClientHost(r)
	user := strings.ToLower(name)
	if !ui.logins.allow(host, user, time.Now()) {
		w.Header().Set("Retry-After", "60")
		page.Error = "Too many sign-in attempts. Wait a minute, then try again."
		ui.log.Warn("login rate limited", "user", name, "addr", host)
		ui.html(w, r, http.StatusTooManyRequests, "login", page)
		return nil
	}
	var old string
	if c, err := r.Cookie(web.SessionCookie); err == nil {
		old = c.Value
	}
	u, secret, err := ui.db.Login(r.Context(), name, r.PostFormValue("password"), old, web.SessionTTL)
	if errors.Is(err, store.ErrBadLogin) {
		ui.logins.failed(host, user, time.Now())
		ui.log.Info("login failed", "user", name, "addr", host)
		page.Error = "That user name and password do not match."
		ui.html(w, r, http.StatusUnauthorized, "login", page)
		return nil
	}
	if err != nil {
		return err
	}
	ui.logins.succeeded(host, user)
	web.SetSession(w, r, secret, web.SessionTTL)
	ui.log.Info("login", "user", u.Name, "role", u.Role)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// safeNext keeps the after-login redirect on this site: next if it is a
// path on this origin, else "/".
func safeNext(next string) string {
	if !sameOriginPath(next) {
		return "/"
	}
	return next
}

// sameOriginPath reports whether p, as sent and once more decoded, is a
// path a browser resolves against this origin. Browsers drop tabs and
// newlines from URLs and read \ as /, so "/\t/evil" and "/\\evil" mean
// //evil: a single leading / with no / or \ after it, no control
// characters or spaces anywhere, no backslash, no scheme and no host.
func sameOriginPath(p string) bool {
	if !singleSlashPath(p) {
		return false
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	// The path decoded (/%2F/evil, /%09/evil) must hold too, in case a
	// proxy or the browser decodes it again.
	return singleSlashPath(u.Path)
}

func singleSlashPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsRune(p, '\\') {
		return false
	}
	return !strings.ContainsFunc(p, func(r rune) bool {
		return unicode.IsControl(r) || unicode.IsSpace(r) || r == utf8.RuneError
	})
}
