package ui

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"iter"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/crosscast/crosscast/server/web"
	"github.com/crosscast/crosscast/store"
)

// Previews show rendered content, which may carry whatever a writer put
// in it. They are served with a CSP sandbox (no script runs, no form
// posts, no popups, no navigation of the page around them, an opaque
// origin) and only ever shown in <iframe sandbox>.
const previewCSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"

// fitCSP is previewCSP for the stored versions' previews the item page
// frames: their sandbox keeps the UI's origin (allow-same-origin) so that
// the page's own script can read a frame's height and size the frame to
// its content. No script can run in them (default-src 'none', and the
// frames have no allow-scripts), so the origin gives the content nothing
// to act with.
const fitCSP = "sandbox allow-same-origin; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'"

// A sandboxed frame has an opaque origin, so the browser does not send
// the session cookie with the frame's image requests. Preview URLs carry
// a signature instead: /preview/<expiry>.<mac>/<item>/<version>/<channel>/<file>,
// valid for previewTTL, signed with a key the web nodes share.
const previewTTL = 2 * time.Hour

func (ui *UI) key(ctx context.Context) ([]byte, error) {
	ui.keyMu.Lock()
	defer ui.keyMu.Unlock()
	if ui.previewKey != nil {
		return ui.previewKey, nil
	}
	v, err := ui.db.Setting(ctx, "preview_key", func() string {
		b := make([]byte, 32)
		rand.Read(b)
		return base64.RawURLEncoding.EncodeToString(b)
	})
	if err != nil {
		return nil, err
	}
	ui.previewKey, err = base64.RawURLEncoding.DecodeString(v)
	return ui.previewKey, err
}

func previewMAC(key []byte, item string, version int, exp int64) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s/%d/%d", item, version, exp)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// previewBase returns the signed URL prefix of a version's previews.
func (ui *UI) previewBase(ctx context.Context, item string, version int) (string, error) {
	key, err := ui.key(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("/preview/%s/%s/%d", signature(key, item, version, previewTTL), item, version), nil
}

// signature is the "<expiry>.<mac>" path segment of a signed preview URL.
func signature(key []byte, subject string, version int, ttl time.Duration) string {
	exp := time.Now().Add(ttl).Unix()
	return strconv.FormatInt(exp, 10) + "." + previewMAC(key, subject, version, exp)
}

// checkSignature checks the request's {sig} segment for subject and
// version, and that it has not expired.
func (ui *UI) checkSignature(r *http.Request, subject string, version int) error {
	expText, mac, ok := strings.Cut(r.PathValue("sig"), ".")
	exp, err := strconv.ParseInt(expText, 10, 64)
	if err != nil || !ok || time.Now().Unix() > exp {
		return errBadPreview
	}
	key, err := ui.key(r.Context())
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(mac), []byte(previewMAC(key, subject, version, exp))) {
		return errBadPreview
	}
	return nil
}

var errBadPreview = &web.Error{Status: http.StatusNotFound, Code: "not_found", Message: "this preview link is wrong or has expired; reload the item page"}

// preview handles GET /preview/{sig}/{id}/{version}/{channel}/{file...}.
// HTML gets its published image URLs pointed at the previews of the same
// files; ?scheme=dark turns on the page's dark-mode styles.
func (ui *UI) preview(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id, channel, file := r.PathValue("id"), r.PathValue("channel"), r.PathValue("file")
	version, err := strconv.Atoi(r.PathValue("version"))
	if err != nil {
		return errBadPreview
	}
	if err := ui.checkSignature(r, id, version); err != nil {
		return err
	}
	f, data, err := ui.db.RenderingFile(ctx, store.RenderKey{ItemID: id, Version: version, Channel: channel}, file)
	if err != nil {
		return err
	}
	mediaType := f.MediaType
	switch {
	case strings.HasPrefix(mediaType, "text/html"):
		rs, err := ui.db.Renderings(ctx, id, version)
		if err != nil {
			return err
		}
		data = pointAt(data, strings.TrimSuffix(r.URL.Path, "/"+channel+"/"+file), func(yield func(string) bool) {
			for _, r := range rs {
				for _, f := range r.Files {
					if !yield(r.Channel + "/" + f.Name) {
						return
					}
				}
			}
		})
	}
	writePreview(w, r, mediaType, data, fitCSP)
	return nil
}

// writePreview answers with a rendered file under the sandbox CSP csp.
// ?scheme=dark turns on an HTML page's dark-mode styles.
func writePreview(w http.ResponseWriter, r *http.Request, mediaType string, data []byte, csp string) {
	switch {
	case strings.HasPrefix(mediaType, "text/html"):
		if r.URL.Query().Get("scheme") == "dark" {
			data = darkMedia.ReplaceAll(data, []byte("@media all"))
		}
	case !strings.HasPrefix(mediaType, "image/"):
		mediaType = "text/plain; charset=utf-8" // JSON, .eml, text: shown, never run or downloaded
	}
	h := w.Header()
	h.Set("Content-Type", mediaType)
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("Referrer-Policy", "no-referrer")
	w.Write(data)
}

var (
	absURL    = regexp.MustCompile(`https?://[^\s"'()<>,]+`)
	darkMedia = regexp.MustCompile(`@media\s*\(\s*prefers-color-scheme\s*:\s*dark\s*\)`)
)

// pointAt replaces each absolute URL whose file name is one of the
// rendered files (keys: "channel/name"; hashed names, so unique) with
// that file's preview URL below base, so a preview shows its own
// images, not whatever is published.
func pointAt(html []byte, base string, keys iter.Seq[string]) []byte {
	files := map[string]string{}
	for k := range keys {
		files[path.Base(k)] = base + "/" + k
	}
	return absURL.ReplaceAllFunc(html, func(u []byte) []byte {
		name := path.Base(string(u))
		if i := strings.IndexAny(name, "?#"); i >= 0 {
			name = name[:i]
		}
		if p, ok := files[name]; ok && !bytes.HasSuffix(u, []byte("/")) {
			return []byte(p)
		}
		return u
	})
}
