package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/image/draw"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers/social"
)

// Bluesky posts to one account through its PDS (XRPC over HTTP).
type Bluesky struct {
	Service    string // https://bsky.social or the account's own PDS
	Identifier string // handle or DID
	Password   string // an app password
	Client     *http.Client
}

// BlobLimit is the most app.bsky.embed.external accepts for a thumbnail.
const BlobLimit = 976_560

// BlueskyPost is one post of a thread.
type BlueskyPost struct {
	Text   string
	Facets []BlueskyFacet
}

// BlueskyFacet marks a link or hashtag by UTF-8 byte offsets.
type BlueskyFacet struct {
	ByteStart, ByteEnd int
	URI, Tag           string
}

// BlueskyEmbed is the link card the first post carries.
type BlueskyEmbed struct {
	URI, Title, Description string
	Thumb                   []byte // JPEG; re-encoded smaller when over BlobLimit
}

type bskySession struct {
	AccessJwt string `json:"accessJwt"`
	DID       string `json:"did"`
}

func (b *Bluesky) xrpc(ctx context.Context, method, nsid string, jwt string, ctype string, body []byte, out any) (int, error) {
	u := strings.TrimRight(b.Service, "/") + "/xrpc/" + nsid
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, r)
	if err != nil {
		return 0, permanent(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if jwt != "" {
		req.Header.Set("Authorization", "Bearer "+jwt)
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := b.Client.Do(req)
	if err != nil {
		return 0, classifyTransport(nsid, err)
	}
	data, err := readBody(resp)
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%s: %w", nsid, err)
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, statusError(nsid, resp.StatusCode, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s: unexpected answer: %w", nsid, err)
		}
	}
	return resp.StatusCode, nil
}

func (b *Bluesky) session(ctx context.Context) (*bskySession, error) {
	body, _ := json.Marshal(map[string]string{"identifier": b.Identifier, "password": b.Password})
	var s bskySession
	if _, err := b.xrpc(ctx, http.MethodPost, "com.atproto.server.createSession", "", "application/json", body, &s); err != nil {
		return nil, err
	}
	if s.AccessJwt == "" || s.DID == "" {
		return nil, errors.New("com.atproto.server.createSession: no session in the answer")
	}
	return &s, nil
}

// PostThread posts a thread: the first post with the link card, every
// later one as a reply naming the thread's root and its parent. Each post
// has a record key derived from key and its place, and an existing record
// under that key is taken as posted, so a retry posts nothing twice. at
// stamps createdAt (the same on every retry).
func (b *Bluesky) PostThread(ctx context.Context, posts []BlueskyPost, lang string, embed *BlueskyEmbed, key string, at time.Time) ([]Posted, error) {
	s, err := b.session(ctx)
	if err != nil {
		return nil, err
	}
	var out []Posted
	var root, parent map[string]string
	for i, p := range posts {
		rkey := TID(at.Add(time.Duration(i)*time.Millisecond), key)
		posted, err := b.getRecord(ctx, s, rkey)
		if err != nil {
			return out, err
		}
		if posted == nil {
			rec := map[string]any{
				"$type":     "app.bsky.feed.post",
				"text":      p.Text,
				"createdAt": at.Add(time.Duration(i) * time.Millisecond).UTC().Format("2006-01-02T15:04:05.000Z"),
			}
			if lang != "" {
				rec["langs"] = []string{lang}
			}
			if fs := facets(p.Facets); len(fs) > 0 {
				rec["facets"] = fs
			}
			if i == 0 && embed != nil {
				e, err := b.embed(ctx, s, embed)
				if err != nil {
					return out, err
				}
				rec["embed"] = e
			}
			if root != nil {
				rec["reply"] = map[string]any{"root": root, "parent": parent}
			}
			posted, err = b.createRecord(ctx, s, rkey, rec)
			if err != nil {
				return out, fmt.Errorf("post %d of %d: %w", i+1, len(posts), err)
			}
		}
		out = append(out, *posted)
		ref := map[string]string{"uri": posted.ID, "cid": posted.CID}
		if root == nil {
			root = ref
		}
		parent = ref
	}
	return out, nil
}

func facets(in []BlueskyFacet) []map[string]any {
	var out []map[string]any
	for _, f := range in {
		var feature map[string]any
		switch {
		case f.URI != "":
			feature = map[string]any{"$type": "app.bsky.richtext.facet#link", "uri": f.URI}
		case f.Tag != "":
			feature = map[string]any{"$type": "app.bsky.richtext.facet#tag", "tag": f.Tag}
		default:
			continue
		}
		out = append(out, map[string]any{
			"index":    map[string]int{"byteStart": f.ByteStart, "byteEnd": f.ByteEnd},
			"features": []map[string]any{feature},
		})
	}
	return out
}

func (b *Bluesky) embed(ctx context.Context, s *bskySession, e *BlueskyEmbed) (map[string]any, error) {
	ext := map[string]any{"uri": e.URI, "title": e.Title, "description": e.Description}
	if len(e.Thumb) > 0 {
		thumb, err := FitJPEG(e.Thumb, BlobLimit)
		if err != nil {
			return nil, permanent(fmt.Errorf("bluesky thumbnail: %w", err))
		}
		var blob struct {
			Blob json.RawMessage `json:"blob"`
		}
		if _, err := b.xrpc(ctx, http.MethodPost, "com.atproto.repo.uploadBlob", s.AccessJwt, "image/jpeg", thumb, &blob); err != nil {
			return nil, err
		}
		ext["thumb"] = blob.Blob
	}
	return map[string]any{"$type": "app.bsky.embed.external", "external": ext}, nil
}

func (b *Bluesky) getRecord(ctx context.Context, s *bskySession, rkey string) (*Posted, error) {
	q := url.Values{"repo": {s.DID}, "collection": {"app.bsky.feed.post"}, "rkey": {rkey}}
	var rec struct {
		URI string `json:"uri"`
		CID string `json:"cid"`
	}
	status, err := b.xrpc(ctx, http.MethodGet, "com.atproto.repo.getRecord?"+q.Encode(), s.AccessJwt, "", nil, &rec)
	if status == http.StatusBadRequest || status == http.StatusNotFound {
		return nil, nil // RecordNotFound
	}
	if err != nil {
		return nil, err
	}
	return &Posted{ID: rec.URI, CID: rec.CID, URL: postURL(s.DID, rec.URI)}, nil
}

func (b *Bluesky) createRecord(ctx context.Context, s *bskySession, rkey string, rec map[string]any) (*Posted, error) {
	body, err := json.Marshal(map[string]any{"repo": s.DID, "collection": "app.bsky.feed.post", "rkey": rkey, "record": rec})
	if err != nil {
		return nil, permanent(err)
	}
	var out struct {
		URI string `json:"uri"`
		CID string `json:"cid"`
	}
	if _, err := b.xrpc(ctx, http.MethodPost, "com.atproto.repo.createRecord", s.AccessJwt, "application/json", body, &out); err != nil {
		return nil, err
	}
	return &Posted{ID: out.URI, CID: out.CID, URL: postURL(s.DID, out.URI)}, nil
}

// postURL is the bsky.app address of a post record.
func postURL(did, uri string) string {
	i := strings.LastIndex(uri, "/")
	if i < 0 {
		return ""
	}
	return "https://bsky.app/profile/" + did + "/post/" + uri[i+1:]
}

const tidAlphabet = "234567abcdefghijklmnopqrstuvwxyz"

// TID makes a record key in the AT Protocol's timestamp-identifier form:
// 53 bits of microseconds since 1970, then a 10-bit clock id, written in
// 13 base32-sortable characters. The clock id comes from key, so the same
// post always gets the same record key.
func TID(at time.Time, key string) string {
	sum := sha256.Sum256([]byte(key))
	clock := uint64(binary.BigEndian.Uint16(sum[:2]) & 0x3ff)
	v := (uint64(at.UnixMicro())&(1<<53-1))<<10 | clock
	var out [13]byte
	for i := 12; i >= 0; i-- {
		out[i] = tidAlphabet[v&31]
		v >>= 5
	}
	return string(out[:])
}

// FitJPEG returns data unchanged when it fits in limit bytes, else
// re-encodes it at lower quality, then smaller, until it does.
func FitJPEG(data []byte, limit int) ([]byte, error) {
	if len(data) <= limit {
		return data, nil
	}
	// The same memory budget as every other decode (the file is a
	// rendered card or photo, but a stored one may predate the checks).
	img, _, err := content.DecodeChecked(data, math.MaxInt)
	if err != nil {
		return nil, err
	}
	for scale := 1.0; scale > 0.1; scale *= 0.75 {
		src := img
		if scale < 1 {
			b := img.Bounds()
			dst := image.NewRGBA(image.Rect(0, 0, max(1, int(float64(b.Dx())*scale)), max(1, int(float64(b.Dy())*scale))))
			draw.CatmullRom.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
			src = dst
		}
		for _, q := range []int{82, 70, 55} {
			var buf bytes.Buffer
			if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: q}); err != nil {
				return nil, err
			}
			if buf.Len() <= limit {
				return buf.Bytes(), nil
			}
		}
	}
	return nil, fmt.Errorf("cannot bring the image under %d bytes", limit)
}

// BlueskyPublisher posts the social rendering's Bluesky thread, with its
// facets and link card, to the target's account.
type BlueskyPublisher struct {
	Clients *Clients
}

// Kind is content.TargetBluesky.
func (p *BlueskyPublisher) Kind() string { return content.TargetBluesky }

// Deliver posts the thread with its facets and the link card.
func (p *BlueskyPublisher) Deliver(ctx context.Context, j Job) (*Posted, error) {
	pass, err := j.secret("password_env", j.Target.PasswordEnv)
	if err != nil {
		return nil, err
	}
	service := j.Target.Service
	if service == "" {
		service = "https://bsky.social"
	}
	b := &Bluesky{Service: service, Identifier: j.Target.Identifier, Password: pass, Client: p.Clients.For(j.Target.AllowHosts)}
	doc, err := socialDoc(ctx, j)
	if err != nil {
		return nil, err
	}
	np, err := network(doc, content.NetBluesky)
	if err != nil {
		return nil, err
	}
	posts := make([]BlueskyPost, len(np.Posts))
	for i, post := range np.Posts {
		posts[i].Text = post.Text
		for _, f := range post.Facets {
			uri := f.URI
			if uri == np.Link {
				uri = j.Track.URL(uri)
			}
			posts[i].Facets = append(posts[i].Facets, BlueskyFacet{ByteStart: f.ByteStart, ByteEnd: f.ByteEnd, URI: uri, Tag: f.Tag})
		}
	}
	var embed *BlueskyEmbed
	if np.Embed != nil {
		e := np.Embed.External
		embed = &BlueskyEmbed{URI: j.Track.URL(e.URI), Title: e.Title, Description: e.Description}
		if e.Thumb != "" {
			if embed.Thumb, err = j.File(ctx, social.Channel, e.Thumb); err != nil {
				return nil, err
			}
		}
	}
	if err := j.Track.Save(ctx); err != nil {
		return nil, err
	}
	// The record keys come from the ledger key and the publication's
	// time, so a retry finds the posts already made.
	posted, err := b.PostThread(ctx, posts, j.Item.Lang, embed, j.Delivery.Key, j.PublishAt)
	if err != nil {
		return nil, err
	}
	return joinPosted(posted), nil
}
