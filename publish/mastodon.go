package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/renderers"
	"github.com/crosscast/crosscast/renderers/social"
)

// Mastodon posts statuses to one account on one instance.
type Mastodon struct {
	Instance string // https://example.social
	Token    string // an access token with write:statuses and write:media
	Client   *http.Client
	// MediaWait bounds waiting for an uploaded image to be processed; 0
	// means 30 s. Poll is the interval (0: 500 ms).
	MediaWait, Poll time.Duration
}

// MastodonStatus is one status to post.
type MastodonStatus struct {
	Text      string
	Language  string
	MediaIDs  []string
	InReplyTo string
}

// Posted is what a target made of a post.
type Posted struct {
	ID, URL string
	CID     string // Bluesky's content hash, needed to reply to it
}

func (m *Mastodon) endpoint(path string) string { return strings.TrimRight(m.Instance, "/") + path }

func (m *Mastodon) do(req *http.Request, op string, out any) (int, error) {
	req.Header.Set("Authorization", "Bearer "+m.Token)
	req.Header.Set("User-Agent", userAgent)
	resp, err := m.Client.Do(req)
	if err != nil {
		return 0, classifyTransport(op, err)
	}
	body, err := readBody(resp)
	if err != nil {
		return resp.StatusCode, fmt.Errorf("%s: %w", op, err)
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, statusError(op, resp.StatusCode, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s: unexpected answer: %w", op, err)
		}
	}
	return resp.StatusCode, nil
}

// Limit reads the instance's status length limit from /api/v2/instance.
func (m *Mastodon) Limit(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.endpoint("/api/v2/instance"), nil)
	if err != nil {
		return 0, permanent(err)
	}
	var inst struct {
		Configuration struct {
			Statuses struct {
				MaxCharacters int `json:"max_characters"`
			} `json:"statuses"`
		} `json:"configuration"`
	}
	if _, err := m.do(req, "mastodon instance", &inst); err != nil {
		return 0, err
	}
	return inst.Configuration.Statuses.MaxCharacters, nil
}

// UploadMedia uploads an image with its alt text and waits until the
// instance has processed it (a status cannot carry unprocessed media).
func (m *Mastodon) UploadMedia(ctx context.Context, name string, data []byte, alt string) (string, error) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		return "", permanent(err)
	}
	fw.Write(data)
	mw.WriteField("description", alt)
	mw.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.endpoint("/api/v2/media"), &buf)
	if err != nil {
		return "", permanent(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var media struct {
		ID  string  `json:"id"`
		URL *string `json:"url"`
	}
	status, err := m.do(req, "mastodon media upload", &media)
	if err != nil {
		return "", err
	}
	if media.ID == "" {
		return "", fmt.Errorf("mastodon media upload: no id in the answer")
	}
	if status == http.StatusOK && media.URL != nil {
		return media.ID, nil
	}
	// 202: processing goes on in the background; GET answers 206 until done.
	wait, poll := m.MediaWait, m.Poll
	if wait <= 0 {
		wait = 30 * time.Second
	}
	if poll <= 0 {
		poll = 500 * time.Millisecond
	}
	deadline := time.Now().Add(wait)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.endpoint("/api/v1/media/"+url.PathEscape(media.ID)), nil)
		if err != nil {
			return "", permanent(err)
		}
		status, err := m.do(req, "mastodon media status", nil)
		if err != nil {
			return "", err
		}
		if status == http.StatusOK {
			return media.ID, nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("mastodon media %s still processing after %s", media.ID, wait)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(poll):
		}
	}
}

// Post publishes a status. key goes out as Idempotency-Key: Mastodon
// answers a repeat of the same key with the status it already made.
func (m *Mastodon) Post(ctx context.Context, s MastodonStatus, key string) (*Posted, error) {
	form := url.Values{}
	form.Set("status", s.Text)
	form.Set("visibility", "public")
	if s.Language != "" {
		form.Set("language", s.Language)
	}
	for _, id := range s.MediaIDs {
		form.Add("media_ids[]", id)
	}
	if s.InReplyTo != "" {
		form.Set("in_reply_to_id", s.InReplyTo)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.endpoint("/api/v1/statuses"), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, permanent(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Idempotency-Key", key)
	var st struct {
		ID  string `json:"id"`
		URL string `json:"url"`
	}
	if _, err := m.do(req, "mastodon status", &st); err != nil {
		return nil, err
	}
	return &Posted{ID: st.ID, URL: st.URL}, nil
}

// PostThread posts statuses as a chain of replies, in order, the first
// with the media. Each gets key/N, so a retried thread repeats no post.
func (m *Mastodon) PostThread(ctx context.Context, texts []string, lang string, mediaIDs []string, key string) ([]Posted, error) {
	var out []Posted
	reply := ""
	for i, t := range texts {
		s := MastodonStatus{Text: t, Language: lang, InReplyTo: reply}
		if i == 0 {
			s.MediaIDs = mediaIDs
		}
		p, err := m.Post(ctx, s, fmt.Sprintf("%s/%d", key, i+1))
		if err != nil {
			return out, fmt.Errorf("post %d of %d: %w", i+1, len(texts), err)
		}
		out = append(out, *p)
		reply = p.ID
	}
	return out, nil
}

// MastodonPublisher posts the social rendering's Mastodon thread, with
// the card and its alt text, to the target's account.
type MastodonPublisher struct {
	Clients *Clients
	// Rerender renders the social channel again (for an instance whose
	// length limit is not the brand file's); nil: this worker cannot.
	Rerender func(ctx context.Context, in renderers.Input) (*renderers.Output, error)
	Log      *slog.Logger
}

// Kind is content.TargetMastodon.
func (m *MastodonPublisher) Kind() string { return content.TargetMastodon }

// Deliver uploads the card and posts the status or thread. When the
// instance allows another length than the brand file says, the posts are
// rendered again for the instance's limit.
func (m *MastodonPublisher) Deliver(ctx context.Context, j Job) (*Posted, error) {
	token, err := j.secret("token_env", j.Target.TokenEnv)
	if err != nil {
		return nil, err
	}
	acct := &Mastodon{Instance: j.Target.Instance, Token: token, Client: m.Clients.For(j.Target.AllowHosts)}
	doc, err := socialDoc(ctx, j)
	if err != nil {
		return nil, err
	}
	np, err := network(doc, content.NetMastodon)
	if err != nil {
		return nil, err
	}
	if limit, err := acct.Limit(ctx); err != nil {
		return nil, err
	} else if limit > 0 && limit != np.Limit {
		if np, err = m.rerender(ctx, j, limit); err != nil {
			return nil, err
		}
	}
	var media []string
	if np.Image != nil {
		// The card does not depend on the length limit: the stored one
		// serves a re-render too.
		card, err := j.File(ctx, social.Channel, np.Image.File)
		if err != nil {
			return nil, err
		}
		id, err := acct.UploadMedia(ctx, np.Image.File, card, np.Image.Alt)
		if err != nil {
			return nil, err
		}
		media = []string{id}
	}
	texts := make([]string, len(np.Posts))
	for i, post := range np.Posts {
		texts[i] = strings.ReplaceAll(post.Text, np.Link, j.Track.URL(np.Link))
	}
	if err := j.Track.Save(ctx); err != nil {
		return nil, err
	}
	posted, err := acct.PostThread(ctx, texts, j.Item.Lang, media, j.Delivery.KeyHash)
	if err != nil {
		return nil, err
	}
	return joinPosted(posted), nil
}

// rerender renders the social channel again with the instance's limit,
// for this delivery only.
func (m *MastodonPublisher) rerender(ctx context.Context, j Job, limit int) (*social.NetworkPosts, error) {
	if m.Rerender == nil || j.Brand.Social.Mastodon == nil {
		return nil, ErrPermanentf("cannot re-render for the instance's limit of %d", limit)
	}
	b := *j.Brand
	prof := *b.Social.Mastodon
	prof.Limit = limit
	b.Social.Mastodon = &prof
	out, err := m.Rerender(ctx, renderers.Input{Item: j.Item, Brand: &b, Links: content.NewLinkPlan(j.Item, &b)})
	if err != nil {
		return nil, ErrPermanentf("re-render for the instance's limit: %v", err)
	}
	var doc social.Doc
	for _, f := range out.Files {
		if f.Name == socialFile(j) {
			if err := json.Unmarshal(f.Data, &doc); err != nil {
				return nil, ErrPermanentf("social.json: %v", err)
			}
		}
	}
	logger(m.Log).Info("mastodon posts re-rendered for the instance's limit", "item", j.Delivery.ItemID, "limit", limit)
	return network(&doc, content.NetMastodon)
}
