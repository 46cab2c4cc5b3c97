package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crosscast/crosscast/bounce"
	"github.com/crosscast/crosscast/store"
)

// Bounces acts on bounce events with the store: a hard bounce or a
// complaint suppresses the subscriber at once, soft bounces are kept
// and suppress once the policy's count is reached within its window.
// Each suppression is a consent record with source bounce. Recording the
// same event twice is the same as once.
type Bounces struct {
	svc    *Service
	policy bounce.Policy
}

// Bounces returns the recorder of bounce events under policy.
func (s *Service) Bounces(policy bounce.Policy) *Bounces {
	if policy.SoftLimit <= 0 {
		policy.SoftLimit = 3
	}
	if policy.Window <= 0 {
		policy.Window = 14 * 24 * time.Hour
	}
	return &Bounces{svc: s, policy: policy}
}

// Record implements bounce.Recorder. An address that is no subscriber of
// the event's brand is logged and skipped; a store failure is returned,
// so the sender of the events tries again (which is why each step is
// idempotent).
func (b *Bounces) Record(ctx context.Context, events []bounce.Event) error {
	var errs []error
	for _, e := range events {
		if err := b.record(ctx, e); err != nil {
			errs = append(errs, err)
		}
	}
	// Soft bounces of addresses that never bounce again go too.
	if _, err := b.svc.db.PruneSoftBounces(ctx, b.svc.now().Add(-b.policy.Window)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (b *Bounces) record(ctx context.Context, e bounce.Event) error {
	addr := e.Address()
	brands := []string{e.Brand}
	if e.Brand == "" {
		// An ESP's event without a VERP token names no brand: it is
		// about the address wherever it is on a list.
		var err error
		if brands, err = b.svc.db.SubscriberBrands(ctx, addr); err != nil {
			return err
		}
	}
	var errs []error
	for _, brand := range brands {
		if err := b.recordFor(ctx, brand, addr, e); err != nil {
			errs = append(errs, fmt.Errorf("bounce of %s for %s: %w", addr, brand, err))
		}
	}
	return errors.Join(errs...)
}

func (b *Bounces) recordFor(ctx context.Context, brand, addr string, e bounce.Event) error {
	log := b.svc.log.With("brand", brand, "kind", e.Kind, "provider", e.Provider, "status", e.Status)
	if e.Ref != nil && e.Ref.Delivery != "" {
		if _, err := b.svc.db.MarkBounced(ctx, brand, e.Ref.Delivery, addr, clipText(string(e.Kind)+": "+describe(e), 500)); err != nil {
			return err
		}
	}
	var earlier []time.Time
	if e.Kind == bounce.Soft {
		added, times, err := b.svc.db.AddSoftBounce(ctx, brand, addr, eventKey(e), e.At, e.At.Add(-b.policy.Window))
		if err != nil {
			return err
		}
		if !added {
			return nil // seen before: counted then
		}
		earlier = times
	}
	d := b.policy.Decide(e, earlier)
	if !d.Suppress {
		log.InfoContext(ctx, "bounce: soft bounce kept", "earlier", len(earlier))
		return nil
	}
	wording := describe(e)
	if e.Kind == bounce.Soft {
		wording = fmt.Sprintf("%d soft bounces within %s; the last: %s", len(earlier)+1, b.policy.Window, wording)
	}
	_, err := b.svc.db.EndSubscription(ctx, brand, addr, d.Status, store.Consent{Source: store.ConsentBounce, Wording: clipText(wording, 1000)})
	if errors.Is(err, store.ErrNotFound) {
		log.InfoContext(ctx, "bounce: address is not on the list", "address", addr)
		return nil
	}
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "bounce: address suppressed", "address", addr, "subscriber_status", d.Status)
	return nil
}

// describe is an event as its consent record words it: kind, provider,
// status and diagnostic.
func describe(e bounce.Event) string {
	parts := []string{string(e.Kind) + " via " + e.Provider}
	if e.Status != "" {
		parts = append(parts, e.Status)
	}
	if e.Diagnostic != "" {
		parts = append(parts, e.Diagnostic)
	}
	return strings.Join(parts, ": ")
}

// eventKey names an event so that a report seen twice (a webhook
// retried, a DSN piped and read from the mailbox) is counted once: the
// bounced message when the report names it, else the report itself.
func eventKey(e bounce.Event) string {
	if e.MessageID != "" {
		return e.Provider + ":" + e.MessageID
	}
	sum := sha256.Sum256([]byte(e.Provider + "\x00" + e.At.UTC().Format(time.RFC3339) + "\x00" + e.Status + "\x00" + e.Diagnostic))
	return e.Provider + ":" + hex.EncodeToString(sum[:12])
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// VERPKeys returns a brand's VERP keys: those of each of its SMTP
// targets' verp_key_env, the signing key of each first, as bounce.Config
// wants them. A brand that cannot be loaded has none.
func (s *Service) VERPKeys(brand string) [][]byte {
	// bounce.Config.Keys takes no context; with the brand cache this is
	// one small query (the brand's current hash), so a short bound of
	// its own does.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	br, _, err := s.brands.Current(ctx, brand)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Warn("bounce: loading the brand for its VERP keys", "brand", brand, "err", err)
		}
		return nil
	}
	var keys [][]byte
	for _, t := range br.Targets() {
		if t.Kind == "smtp" && t.VERPKeyEnv != "" {
			keys = append(keys, bounce.ParseKeys(s.getenv(t.VERPKeyEnv))...)
		}
	}
	return keys
}
