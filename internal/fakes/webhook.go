package fakes

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/crosscast/crosscast/publish"
)

// Webhook is a Standard Webhooks receiver: it verifies each signature
// with the shared secret and keeps one message per webhook-id, as the
// specification asks receivers to.
type Webhook struct {
	*httptest.Server
	Secret []byte
	faults
	violations

	mu       sync.Mutex
	byID     map[string][]byte
	order    []string
	Attempts int
}

// NewWebhook starts a receiver for secret.
func NewWebhook(secret []byte) *Webhook {
	h := &Webhook{Secret: secret, byID: map[string][]byte{}}
	h.Server = httptest.NewServer(http.HandlerFunc(h.receive))
	return h
}

func (h *Webhook) receive(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.Attempts++
	h.mu.Unlock()
	fault := h.take()
	if fault == Fail500 {
		http.Error(w, "boom", http.StatusInternalServerError)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		h.add(w, http.StatusBadRequest, "webhook: not a JSON POST")
		return
	}
	if err := publish.Verify(h.Secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
		h.add(w, http.StatusUnauthorized, "webhook: "+err.Error())
		return
	}
	id := r.Header.Get("webhook-id")
	h.mu.Lock()
	if _, dup := h.byID[id]; !dup {
		h.byID[id] = body
		h.order = append(h.order, id)
	}
	h.mu.Unlock()
	if fault == TimeoutAfter {
		hang(r)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Messages returns the distinct messages received, by webhook-id, in
// the order they first arrived.
func (h *Webhook) Messages() ([]string, map[string][]byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make(map[string][]byte, len(h.byID))
	for k, v := range h.byID {
		out[k] = v
	}
	return append([]string(nil), h.order...), out
}
