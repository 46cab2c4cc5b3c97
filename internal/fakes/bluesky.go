package fakes

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"

	"github.com/rivo/uniseg"
)

// Bluesky is a PDS's XRPC API as documented: createSession with an app
// password, uploadBlob (at most 1,000,000 bytes), getRecord, and
// createRecord checking app.bsky.feed.post (300 graphemes, facets by
// UTF-8 byte offsets inside the text, embed thumbs that were uploaded,
// replies naming existing root and parent records, TID record keys).
type Bluesky struct {
	*httptest.Server
	Handle, Password, DID string
	// Create faults apply to com.atproto.repo.createRecord.
	Create faults
	violations

	mu      sync.Mutex
	blobs   map[string]int
	records map[string]BlueskyRecord // rkey → record
	order   []string
	// Attempts counts createRecord requests.
	Attempts int
}

// BlueskyRecord is a created post.
type BlueskyRecord struct {
	RKey, URI, CID string
	Record         map[string]any
}

var tidRE = regexp.MustCompile(`^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$`)

const blueskyJWT = "bsky-access-jwt"

// NewBluesky starts a PDS with one account.
func NewBluesky() *Bluesky {
	b := &Bluesky{Handle: "kestrel.test", Password: "abcd-efgh-ijkl-mnop", DID: "did:plc:kestreltest", blobs: map[string]int{}, records: map[string]BlueskyRecord{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /xrpc/com.atproto.server.createSession", b.session)
	mux.HandleFunc("POST /xrpc/com.atproto.repo.uploadBlob", b.auth(b.upload))
	mux.HandleFunc("GET /xrpc/com.atproto.repo.getRecord", b.auth(b.get))
	mux.HandleFunc("POST /xrpc/com.atproto.repo.createRecord", b.auth(b.create))
	b.Server = httptest.NewServer(mux)
	return b
}

func xrpcError(w http.ResponseWriter, status int, name, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": name, "message": msg})
}

func (b *Bluesky) session(w http.ResponseWriter, r *http.Request) {
	var req struct{ Identifier, Password string }
	if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&req) != nil {
		b.add(w, http.StatusBadRequest, "createSession: body must be JSON")
		return
	}
	if (req.Identifier != b.Handle && req.Identifier != b.DID) || req.Password != b.Password {
		xrpcError(w, http.StatusUnauthorized, "AuthenticationRequired", "Invalid identifier or password")
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"accessJwt": blueskyJWT, "refreshJwt": "r", "handle": b.Handle, "did": b.DID})
}

func (b *Bluesky) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+blueskyJWT {
			xrpcError(w, http.StatusUnauthorized, "AuthenticationRequired", "bad token")
			return
		}
		h(w, r)
	}
}

func (b *Bluesky) upload(w http.ResponseWriter, r *http.Request) {
	ct := r.Header.Get("Content-Type")
	data, _ := io.ReadAll(io.LimitReader(r.Body, 2<<20))
	if !strings.HasPrefix(ct, "image/") {
		b.add(w, http.StatusBadRequest, "uploadBlob: Content-Type "+ct)
		return
	}
	if len(data) > 1_000_000 {
		b.add(w, http.StatusBadRequest, fmt.Sprintf("uploadBlob: %d bytes, over the 1,000,000 limit", len(data)))
		return
	}
	b.mu.Lock()
	ref := fmt.Sprintf("bafkreiblob%04d", len(b.blobs))
	b.blobs[ref] = len(data)
	b.mu.Unlock()
	json.NewEncoder(w).Encode(map[string]any{"blob": map[string]any{"$type": "blob", "ref": map[string]string{"$link": ref}, "mimeType": ct, "size": len(data)}})
}

func (b *Bluesky) get(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("repo") != b.DID || q.Get("collection") != "app.bsky.feed.post" {
		b.add(w, http.StatusBadRequest, "getRecord: wrong repo or collection")
		return
	}
	b.mu.Lock()
	rec, ok := b.records[q.Get("rkey")]
	b.mu.Unlock()
	if !ok {
		xrpcError(w, http.StatusBadRequest, "RecordNotFound", "Could not locate record")
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"uri": rec.URI, "cid": rec.CID, "value": rec.Record})
}

func (b *Bluesky) create(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	b.Attempts++
	b.mu.Unlock()
	fault := b.Create.take()
	if fault == Fail500 {
		xrpcError(w, http.StatusInternalServerError, "InternalServerError", "boom")
		return
	}
	var req struct {
		Repo, Collection, RKey string
		Record                 map[string]any
	}
	if json.NewDecoder(r.Body).Decode(&req) != nil || req.Record == nil {
		b.add(w, http.StatusBadRequest, "createRecord: body must be JSON with repo, collection, record")
		return
	}
	if req.Repo != b.DID || req.Collection != "app.bsky.feed.post" {
		b.add(w, http.StatusBadRequest, "createRecord: repo must be the session's DID and collection app.bsky.feed.post")
		return
	}
	if !tidRE.MatchString(req.RKey) {
		b.add(w, http.StatusBadRequest, "createRecord: rkey "+req.RKey+" is not a TID")
		return
	}
	if msg := b.checkPost(req.Record); msg != "" {
		b.add(w, http.StatusBadRequest, "createRecord: "+msg)
		return
	}
	b.mu.Lock()
	if _, dup := b.records[req.RKey]; dup {
		b.mu.Unlock()
		xrpcError(w, http.StatusBadRequest, "InvalidRequest", "Record already exists")
		return
	}
	rec := BlueskyRecord{RKey: req.RKey, URI: "at://" + b.DID + "/app.bsky.feed.post/" + req.RKey, CID: "bafyrei" + req.RKey, Record: req.Record}
	b.records[req.RKey] = rec
	b.order = append(b.order, req.RKey)
	b.mu.Unlock()
	if fault == TimeoutAfter {
		hang(r)
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"uri": rec.URI, "cid": rec.CID})
}

// checkPost checks an app.bsky.feed.post record against the lexicon.
func (b *Bluesky) checkPost(rec map[string]any) string {
	if rec["$type"] != "app.bsky.feed.post" {
		return "record $type must be app.bsky.feed.post"
	}
	text, _ := rec["text"].(string)
	if g := uniseg.GraphemeClusterCount(text); g > 300 || len(text) > 3000 {
		return fmt.Sprintf("text is %d graphemes, %d bytes (limits 300, 3000)", g, len(text))
	}
	if _, ok := rec["createdAt"].(string); !ok {
		return "createdAt missing"
	}
	facets, _ := rec["facets"].([]any)
	for _, f := range facets {
		fm, _ := f.(map[string]any)
		idx, _ := fm["index"].(map[string]any)
		start, ok1 := idx["byteStart"].(float64)
		end, ok2 := idx["byteEnd"].(float64)
		if !ok1 || !ok2 || start < 0 || end <= start || int(end) > len(text) {
			return fmt.Sprintf("facet index %v outside the text's %d bytes", idx, len(text))
		}
		feats, _ := fm["features"].([]any)
		if len(feats) == 0 {
			return "facet without features"
		}
		for _, ft := range feats {
			fe, _ := ft.(map[string]any)
			switch fe["$type"] {
			case "app.bsky.richtext.facet#link":
				if u, _ := fe["uri"].(string); !strings.HasPrefix(u, "http") {
					return "link facet without an http uri"
				}
			case "app.bsky.richtext.facet#tag":
				tag, _ := fe["tag"].(string)
				if tag == "" || "#"+tag != text[int(start):int(end)] {
					return fmt.Sprintf("tag facet %q does not cover #%s", text[int(start):int(end)], tag)
				}
			default:
				return fmt.Sprintf("unknown facet feature %v", fe["$type"])
			}
		}
	}
	if e, ok := rec["embed"].(map[string]any); ok {
		if e["$type"] != "app.bsky.embed.external" {
			return "embed must be app.bsky.embed.external"
		}
		ext, _ := e["external"].(map[string]any)
		if u, _ := ext["uri"].(string); u == "" {
			return "embed.external.uri missing"
		}
		if _, ok := ext["title"].(string); !ok {
			return "embed.external.title missing"
		}
		if th, ok := ext["thumb"].(map[string]any); ok {
			ref, _ := th["ref"].(map[string]any)
			link, _ := ref["$link"].(string)
			b.mu.Lock()
			_, known := b.blobs[link]
			b.mu.Unlock()
			if !known {
				return "embed thumb is not an uploaded blob"
			}
		}
	}
	if rp, ok := rec["reply"].(map[string]any); ok {
		for _, k := range []string{"root", "parent"} {
			ref, _ := rp[k].(map[string]any)
			uri, _ := ref["uri"].(string)
			cid, _ := ref["cid"].(string)
			if !b.hasRecord(uri, cid) {
				return "reply." + k + " does not name an existing post"
			}
		}
	}
	return ""
}

func (b *Bluesky) hasRecord(uri, cid string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.records {
		if r.URI == uri && r.CID == cid {
			return true
		}
	}
	return false
}

// Records returns the posts created, in order.
func (b *Bluesky) Records() []BlueskyRecord {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]BlueskyRecord, len(b.order))
	for i, k := range b.order {
		out[i] = b.records[k]
	}
	return out
}
