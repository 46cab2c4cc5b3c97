package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// EndSubscription suppresses a subscriber: status is unsubscribed,
// bounced or complained. Doing it again changes nothing and records
// nothing; a complaint after an unsubscribe is still recorded.
func (s *DB) EndSubscription(ctx context.Context, brandID, address, status string, c Consent) (*Subscriber, error) {
	if !SuppressedStatus(status) {
		return nil, fmt.Errorf("store: %q is not a suppressing status: %w", status, ErrInvalid)
	}
	var out *Subscriber
	err := s.tx(ctx, func(tx *sql.Tx) error {
		sb, err := s.subscriber(ctx, tx, `brand_id = $1 AND address = $2`, brandID, normAddress(address))
		if err != nil {
			return err
		}
		out = sb
		if sb.Status == status {
			return nil
		}
		now := s.now()
		sb.Status, sb.ConfirmSentAt = status, time.Time{}
		if err := s.saveSubscriber(ctx, tx, sb, now); err != nil {
			return err
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO suppressions (brand_id, address, reason, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (brand_id, address) DO UPDATE SET reason = $3`, sb.BrandID, sb.Address, status, now); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return s.addConsent(ctx, tx, sb, c, status, now)
	})
	return out, err
}

// Unsubscribe suppresses the subscriber a token belongs to, recording c.
// Doing it twice is the same as once.
func (s *DB) Unsubscribe(ctx context.Context, token string, c Consent) (*Subscriber, error) {
	sb, err := s.SubscriberByToken(ctx, token)
	if err != nil {
		return nil, fmt.Errorf("unsubscribe link: %w", err)
	}
	return s.EndSubscription(ctx, sb.BrandID, sb.Address, SubUnsubscribed, c)
}

// EraseSubscriber is the right to erasure: the address goes from the
// list, its consent log and the delivery ledger. What remains is a
// hashed tombstone in the suppression list, so the address, if it is
// added again, stays suppressed until a new confirmed opt-in. An
// address not on the list is ErrNotFound.
func (s *DB) EraseSubscriber(ctx context.Context, brandID, address string) error {
	addr := normAddress(address)
	return s.tx(ctx, func(tx *sql.Tx) error {
		sb, err := s.subscriber(ctx, tx, `brand_id = $1 AND address = $2`, brandID, addr)
		if err != nil {
			return err
		}
		reason := sb.Status
		if !SuppressedStatus(reason) {
			reason = SubUnsubscribed
		}
		now := s.now()
		for _, q := range []string{
			`DELETE FROM subscribers WHERE brand_id = $1 AND address = $2`,
			`DELETE FROM consents WHERE brand_id = $1 AND address = $2`,
			`DELETE FROM suppressions WHERE brand_id = $1 AND address = $2`,
		} {
			if _, err := s.exec(ctx, tx, q, brandID, addr); err != nil {
				return fmt.Errorf("store: %w", err)
			}
		}
		// The ledger keeps how many were sent, not to whom.
		if _, err := s.exec(ctx, tx, `UPDATE delivery_recipients SET address = $3 WHERE address = $2
			AND delivery_id IN (SELECT id FROM deliveries WHERE brand_id = $1)`, brandID, addr, "erased:"+tombstone(addr)[7:23]); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		_, err = s.exec(ctx, tx, `INSERT INTO suppressions (brand_id, address, reason, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (brand_id, address) DO NOTHING`, brandID, tombstone(addr), reason, now)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
}
