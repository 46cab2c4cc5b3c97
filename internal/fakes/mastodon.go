package fakes

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"

	"github.com/crosscast/crosscast/renderers/social"
)

// Mastodon is a Mastodon instance's API as documented: bearer tokens,
// media processed asynchronously (202, then 206 until ready), statuses
// de-duplicated by Idempotency-Key, length counted with every URL as 23.
type Mastodon struct {
	*httptest.Server
	Token string
	Limit int
	// Statuses faults apply to POST /api/v1/statuses.
	Statuses faults
	violations

	mu       sync.Mutex
	media    map[string]*MastodonMedia
	polls    map[string]int
	posts    []MastodonPost
	byKey    map[string]int // Idempotency-Key → index into posts
	Attempts int            // POST /api/v1/statuses requests
}

// MastodonMedia is an uploaded attachment.
type MastodonMedia struct {
	ID, Description string
	Size            int
}

// MastodonPost is a status the instance created.
type MastodonPost struct {
	ID, Text, Language, InReplyTo, Key string
	MediaIDs                           []string
}

// NewMastodon starts an instance with a limit of limit characters.
func NewMastodon(limit int) *Mastodon {
	m := &Mastodon{Token: "mastodon-test-token", Limit: limit, media: map[string]*MastodonMedia{}, polls: map[string]int{}, byKey: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v2/instance", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"domain":"test.social","configuration":{"statuses":{"max_characters":%d,"max_media_attachments":4}}}`, m.Limit)
	})
	mux.HandleFunc("POST /api/v2/media", m.auth(m.upload))
	mux.HandleFunc("GET /api/v1/media/{id}", m.auth(m.mediaStatus))
	mux.HandleFunc("POST /api/v1/statuses", m.auth(m.status))
	m.Server = httptest.NewServer(mux)
	return m
}

func (m *Mastodon) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+m.Token {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"The access token is invalid"}`)
			return
		}
		h(w, r)
	}
}

func (m *Mastodon) upload(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseMultipartForm(16 << 20); err != nil {
		m.add(w, http.StatusUnprocessableEntity, "media: not multipart: "+err.Error())
		return
	}
	f, hdr, err := r.FormFile("file")
	if err != nil {
		m.add(w, http.StatusUnprocessableEntity, "media: no file field")
		return
	}
	f.Close()
	desc := r.FormValue("description")
	if strings.TrimSpace(desc) == "" {
		m.add(w, http.StatusUnprocessableEntity, "media: no alt text (description)")
		return
	}
	if len([]rune(desc)) > 1500 {
		m.add(w, http.StatusUnprocessableEntity, "media: description over 1500 characters")
		return
	}
	m.mu.Lock()
	id := strconv.Itoa(1000 + len(m.media))
	m.media[id] = &MastodonMedia{ID: id, Description: desc, Size: int(hdr.Size)}
	m.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintf(w, `{"id":%q,"type":"image","url":null,"description":%q}`, id, desc)
}

func (m *Mastodon) mediaStatus(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	m.mu.Lock()
	_, ok := m.media[id]
	m.polls[id]++
	ready := m.polls[id] > 1
	m.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if !ready {
		w.WriteHeader(http.StatusPartialContent)
		fmt.Fprintf(w, `{"id":%q,"url":null}`, id)
		return
	}
	fmt.Fprintf(w, `{"id":%q,"url":"https://files.test.social/%s.jpg"}`, id, id)
}

func (m *Mastodon) status(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	m.Attempts++
	m.mu.Unlock()
	fault := m.Statuses.take()
	if fault == Fail500 {
		http.Error(w, "boom", http.StatusInternalServerError)
		return
	}
	if err := r.ParseForm(); err != nil {
		m.add(w, http.StatusUnprocessableEntity, "status: bad form")
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		m.add(w, http.StatusUnprocessableEntity, "status: no Idempotency-Key")
		return
	}
	text := r.PostForm.Get("status")
	if n := social.CountMastodon(text); n > m.Limit || strings.TrimSpace(text) == "" {
		m.add(w, http.StatusUnprocessableEntity, fmt.Sprintf("status: %d characters, limit %d", n, m.Limit))
		return
	}
	m.mu.Lock()
	if i, ok := m.byKey[key]; ok {
		p := m.posts[i]
		m.mu.Unlock()
		m.writeStatus(w, p)
		return
	}
	p := MastodonPost{ID: strconv.Itoa(9000 + len(m.posts)), Text: text, Language: r.PostForm.Get("language"),
		InReplyTo: r.PostForm.Get("in_reply_to_id"), Key: key, MediaIDs: r.PostForm["media_ids[]"]}
	for _, id := range p.MediaIDs {
		if _, ok := m.media[id]; !ok || m.polls[id] < 2 {
			m.mu.Unlock()
			m.add(w, http.StatusUnprocessableEntity, "status: media "+id+" unknown or not processed")
			return
		}
	}
	if p.InReplyTo != "" && !m.hasPost(p.InReplyTo) {
		m.mu.Unlock()
		m.add(w, http.StatusNotFound, "status: in_reply_to_id "+p.InReplyTo+" not found")
		return
	}
	m.byKey[key] = len(m.posts)
	m.posts = append(m.posts, p)
	m.mu.Unlock()
	if fault == TimeoutAfter {
		hang(r)
		return
	}
	m.writeStatus(w, p)
}

func (m *Mastodon) hasPost(id string) bool {
	for _, p := range m.posts {
		if p.ID == id {
			return true
		}
	}
	return false
}

func (m *Mastodon) writeStatus(w http.ResponseWriter, p MastodonPost) {
	json.NewEncoder(w).Encode(map[string]any{"id": p.ID, "url": m.URL + "/@kestrel/" + p.ID, "content": p.Text})
}

// Posts returns the statuses created, in order.
func (m *Mastodon) Posts() []MastodonPost {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]MastodonPost(nil), m.posts...)
}

// Media returns an uploaded attachment.
func (m *Mastodon) Media(id string) *MastodonMedia {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.media[id]
}
