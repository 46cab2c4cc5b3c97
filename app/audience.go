package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// ConfirmTTL is how long a confirmation link works.
const ConfirmTTL = 7 * 24 * time.Hour

// FormVersion names the wording the built-in sign-up form shows; it goes
// into each consent record made through it.
const FormVersion = "crosscast sign-up form v1"

// SignUp is a reader's request from a sign-up form.
type SignUp struct {
	Brand, Address, Lang string
	Topics               []string
	// Client is the client's network address; only a keyed hash of it
	// is kept.
	Client string
	// Form names the form's version or wording; "" means FormVersion.
	Form string
}

// SignUpResult is all a sign-up answers: the same whether the address
// was new, pending, active or suppressed.
type SignUpResult struct {
	Lang string
	// DoubleOptIn is the brand's choice: a confirmation email may be on
	// its way.
	DoubleOptIn bool
}

// SignUp puts an address on a brand's list as the reader asked. With
// double opt-in (the default) it is pending and a confirmation email is
// planned in the same transaction; with single opt-in it is active at
// once, recorded as such, unless it is suppressed, which only a
// confirmed opt-in lifts, so it is then sent the confirmation email.
func (s *Service) SignUp(ctx context.Context, in SignUp) (*SignUpResult, error) {
	b, _, err := s.brands.Current(ctx, in.Brand)
	if err != nil {
		return nil, err
	}
	lang, topics, err := choices(b, in.Lang, in.Topics)
	if err != nil {
		return nil, err
	}
	form := in.Form
	if form == "" {
		form = FormVersion
	}
	c := store.Consent{Source: store.ConsentForm, Wording: form, ClientHash: s.clientHash(ctx, in.Client)}
	double := b.Email.OptInConfirmed()
	if !double {
		c.Wording += " (single opt-in)"
	}
	j := store.Join{BrandID: b.ID, Address: in.Address, Lang: lang, Topics: topics, Confirmed: !double, Consent: c, Confirm: confirmTask}
	res, err := s.db.JoinSubscriber(ctx, j)
	if err == nil && res.Suppressed && !double {
		j.Confirmed = false
		res, err = s.db.JoinSubscriber(ctx, j)
	}
	if err != nil {
		return nil, err
	}
	s.dispatch(ctx, res.Tasks)
	return &SignUpResult{Lang: lang, DoubleOptIn: double}, nil
}

func confirmTask(token string, at time.Time) (store.Task, error) {
	return tasks.NewSubscriberConfirmTask(tasks.SubscriberConfirmPayload{Token: token, SentAt: at.UnixMicro()})
}

// dispatch enqueues committed outbox tasks; a failure is the
// reconciler's to retry, and is only logged.
func (s *Service) dispatch(ctx context.Context, ts []store.Task) {
	if len(ts) == 0 {
		return
	}
	if err := s.Dispatch(ctx, ts); err != nil {
		s.log.Warn("enqueue after commit failed; the reconciler will retry", "err", err)
	}
}

// choices checks a language and topics against the brand: the language
// is one crosscast has strings for (default: the brand's), and every
// topic is one the brand declares.
func choices(b *content.Brand, lang string, topics []string) (string, []string, error) {
	if lang == "" {
		lang = b.Lang
	}
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	if !slices.Contains(content.Languages(), base) {
		return "", nil, fmt.Errorf("language %q: pick one of %s: %w", lang, strings.Join(content.Languages(), ", "), store.ErrInvalid)
	}
	out := []string{}
	for _, t := range topics {
		if t == "" {
			continue
		}
		if _, ok := b.Email.Topics[t]; !ok {
			return "", nil, fmt.Errorf("topic %q: %s has %s: %w", t, b.Name, strings.Join(b.Email.TopicKeys(), ", "), store.ErrInvalid)
		}
		out = append(out, t)
	}
	return base, out, nil
}

// ConfirmLink is the path of the confirmation link of the email planned
// at sent:
// /s/<brand>/confirm/<token>.<sent>.<expiry>.<mac>.
func (s *Service) ConfirmLink(ctx context.Context, brand, token string, sent time.Time) (string, error) {
	key, err := s.subscriberKey(ctx)
	if err != nil {
		return "", err
	}
	exp := sent.Add(ConfirmTTL).Unix()
	payload := fmt.Sprintf("%s.%d.%d", token, sent.UnixMicro(), exp)
	return "/s/" + brand + "/confirm/" + payload + "." + linkMAC(key, brand, payload), nil
}

func linkMAC(key []byte, brand, payload string) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "confirm\x00%s\x00%s", brand, payload)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// confirmLinkParts are a confirmation link's fields.
type confirmLinkParts struct {
	token, payload, mac string
	sent, exp           int64
}

// parseConfirmLink splits "<token>.<sent>.<expiry>.<mac>" (outside input:
// the last path segment of the link), checking only its shape.
func parseConfirmLink(link string) (confirmLinkParts, bool) {
	parts := strings.Split(link, ".")
	if len(link) > 200 || len(parts) != 4 || parts[0] == "" || parts[3] == "" {
		return confirmLinkParts{}, false
	}
	sent, err1 := strconv.ParseInt(parts[1], 10, 64)
	exp, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || sent <= 0 || exp <= 0 {
		return confirmLinkParts{}, false
	}
	return confirmLinkParts{token: parts[0], payload: strings.Join(parts[:3], "."), mac: parts[3], sent: sent, exp: exp}, true
}

// ErrLink is a confirmation link that is tampered with, expired, or not
// the latest one sent.
var ErrLink = fmt.Errorf("confirmation link: %w", store.ErrNotFound)

// CheckConfirmLink verifies a confirmation link's signature and expiry
// and returns the subscriber it is for, changing nothing: the page a GET
// shows (mail scanners follow links; only the POST confirms).
func (s *Service) CheckConfirmLink(ctx context.Context, brand, link string) (*store.Subscriber, time.Time, error) {
	key, err := s.subscriberKey(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	l, ok := parseConfirmLink(link)
	if !ok || !hmac.Equal([]byte(l.mac), []byte(linkMAC(key, brand, l.payload))) || s.now().Unix() > l.exp {
		return nil, time.Time{}, ErrLink
	}
	sentMicro := l.sent
	sb, err := s.db.SubscriberByToken(ctx, l.token)
	if errors.Is(err, store.ErrNotFound) || (err == nil && sb.BrandID != brand) {
		return nil, time.Time{}, ErrLink
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	return sb, time.UnixMicro(sentMicro).UTC(), nil
}

// Confirm is the confirmed opt-in: the POST of a valid confirmation
// link makes its subscriber active.
func (s *Service) Confirm(ctx context.Context, brand, link, client string) (*store.Subscriber, error) {
	sb, sent, err := s.CheckConfirmLink(ctx, brand, link)
	if err != nil {
		return nil, err
	}
	if sb.Status == store.SubActive {
		return sb, nil
	}
	c := store.Consent{Source: store.ConsentForm, Wording: "confirmation email link", ClientHash: s.clientHash(ctx, client)}
	sb, err = s.db.ConfirmSubscriber(ctx, sb.Token, sent, c)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrLink
	}
	return sb, err
}

// subscriberKey is the installation's key for confirmation links and
// client hashes, made once and shared by every node through the store.
func (s *Service) subscriberKey(ctx context.Context) ([]byte, error) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	if s.subKey != nil {
		return s.subKey, nil
	}
	v, err := s.db.Setting(ctx, "subscriber_key", func() string {
		b := make([]byte, 32)
		rand.Read(b)
		return base64.RawURLEncoding.EncodeToString(b)
	})
	if err != nil {
		return nil, err
	}
	key, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("subscriber key: %w", err)
	}
	s.subKey = key
	return key, nil
}

// clientHash is what a consent record keeps of a client's address: a
// keyed hash that shows two records came from one client and tells
// nobody which. "" when there is no client or no key.
func (s *Service) clientHash(ctx context.Context, client string) string {
	if client == "" {
		return ""
	}
	key, err := s.subscriberKey(ctx)
	if err != nil {
		return ""
	}
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "client\x00%s", client)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:12])
}

// Brand returns a brand's current kit and its hash.
func (s *Service) Brand(ctx context.Context, id string) (*content.Brand, string, error) {
	return s.brands.Current(ctx, id)
}
