package app

import (
	"context"

	"github.com/crosscast/crosscast/store"
)

// AddRequest is an admin's addition to a brand's list (the API).
type AddRequest struct {
	Address, Lang string
	Topics        []string
	// Basis is the consent the admin holds ("signed up at the shop
	// 2025-04"): with one the address is active at once, recorded with
	// it; without one it is pending and sent a confirmation email.
	Basis string
	Actor string
}

// AddSubscriber adds an address to brand's list. A suppressed address
// (unsubscribed, bounced, complained or erased) is not reactivated by
// any basis: Joined.Suppressed says so, and without a basis it is sent
// a confirmation email, the only way back.
func (s *Service) AddSubscriber(ctx context.Context, brand string, r AddRequest) (*store.Joined, error) {
	b, _, err := s.brands.Current(ctx, brand)
	if err != nil {
		return nil, err
	}
	lang, topics, err := choices(b, r.Lang, r.Topics)
	if err != nil {
		return nil, err
	}
	wording := "added through the API by " + r.Actor
	if r.Basis != "" {
		wording = r.Basis + " (stated by " + r.Actor + " through the API)"
	}
	res, err := s.db.JoinSubscriber(ctx, store.Join{BrandID: b.ID, Address: r.Address, Lang: lang, Topics: topics,
		Confirmed: r.Basis != "", Consent: store.Consent{Source: store.ConsentAPI, Wording: wording}, Confirm: confirmTask})
	if err != nil {
		return nil, err
	}
	s.dispatch(ctx, res.Tasks)
	return res, nil
}

// Update is a change of a subscriber's choices; nil fields stay.
type Update struct {
	Lang   *string
	Topics *[]string
	Paused *bool
}

// UpdatePreferences changes the choices of the subscriber whose link
// token it is, from the preference centre.
func (s *Service) UpdatePreferences(ctx context.Context, token string, u Update, client string) (*store.Subscriber, error) {
	sb, err := s.db.SubscriberByToken(ctx, token)
	if err != nil {
		return nil, err
	}
	c := store.Consent{Source: store.ConsentPreferences, Wording: "preference centre v1", ClientHash: s.clientHash(ctx, client)}
	return s.updateSubscriber(ctx, sb.BrandID, sb.Address, u, c)
}

// UpdateSubscriber changes a subscriber's choices through the API.
func (s *Service) UpdateSubscriber(ctx context.Context, brand, address string, u Update, actor string) (*store.Subscriber, error) {
	return s.updateSubscriber(ctx, brand, address, u, store.Consent{Source: store.ConsentAPI, Wording: "changed through the API by " + actor})
}

func (s *Service) updateSubscriber(ctx context.Context, brand, address string, u Update, c store.Consent) (*store.Subscriber, error) {
	b, _, err := s.brands.Current(ctx, brand)
	if err != nil {
		return nil, err
	}
	p := store.Preferences{Paused: u.Paused}
	if u.Lang != nil {
		lang, _, err := choices(b, *u.Lang, nil)
		if err != nil {
			return nil, err
		}
		p.Lang = &lang
	}
	if u.Topics != nil {
		_, topics, err := choices(b, b.Lang, *u.Topics)
		if err != nil {
			return nil, err
		}
		p.Topics = &topics
	}
	return s.db.UpdateSubscriber(ctx, brand, address, p, c)
}

// Unsubscribe takes the subscriber whose link token it is off its
// brand's list. source is store.ConsentOneClick for RFC 8058's POST,
// store.ConsentPreferences for the preference centre's button.
func (s *Service) Unsubscribe(ctx context.Context, token, source, client string) (*store.Subscriber, error) {
	return s.db.Unsubscribe(ctx, token, store.Consent{Source: source, ClientHash: s.clientHash(ctx, client)})
}

// EndSubscription unsubscribes an address through the API.
func (s *Service) EndSubscription(ctx context.Context, brand, address, actor string) (*store.Subscriber, error) {
	return s.db.EndSubscription(ctx, brand, address, store.SubUnsubscribed,
		store.Consent{Source: store.ConsentAPI, Wording: "unsubscribed through the API by " + actor})
}

// Erase is the right to erasure: the address leaves the brand's list,
// its consent log and the ledger; a hashed tombstone keeps it
// suppressed.
func (s *Service) Erase(ctx context.Context, brand, address, actor string) error {
	addr, err := store.NormalizeAddress(address)
	if err != nil {
		return err
	}
	if err := s.db.EraseSubscriber(ctx, brand, addr); err != nil {
		return err
	}
	// The log names who erased, never whom.
	s.log.Info("subscriber erased", "brand", brand, "actor", actor)
	return nil
}

// Click counts a click on the tracked link code names and returns where
// it goes.
func (s *Service) Click(ctx context.Context, code string) (string, error) {
	l, err := s.db.CountClick(ctx, code)
	if err != nil {
		return "", err
	}
	s.metrics.clicks.WithLabelValues(l.BrandID, MetricChannel(l.Channel)).Inc()
	return l.URL, nil
}
