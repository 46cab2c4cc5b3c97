package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Recipient is one address of an email delivery.
type Recipient struct {
	Address    string `json:"address"`
	Status     string `json:"status"`
	ExternalID string `json:"message_id,omitempty"`
	Error      string `json:"error,omitempty"`
	// Token is the address's unsubscribe token when it is a subscriber.
	Token string `json:"-"`
}

// normAddress is how addresses are compared: the domain is
// case-insensitive, and so, in practice, is every mailbox.
func normAddress(a string) string { return strings.ToLower(strings.TrimSpace(a)) }

// Suppress adds an address to a brand's suppression list: it is never
// sent to again.
func (s *DB) Suppress(ctx context.Context, brandID, address, reason string) error {
	_, err := s.exec(ctx, s.db, `INSERT INTO suppressions (brand_id, address, reason, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (brand_id, address) DO NOTHING`, brandID, normAddress(address), reason, s.now())
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// Suppressed reports whether an address is on a brand's suppression list.
func (s *DB) Suppressed(ctx context.Context, brandID, address string) (bool, error) {
	var n int
	err := s.queryRow(ctx, s.db, `SELECT COUNT(*) FROM suppressions WHERE brand_id = $1 AND address = $2`, brandID, normAddress(address)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: %w", err)
	}
	return n > 0, nil
}

// Recipients returns an email delivery's recipients, creating them on
// the first call: the given addresses, and, when seg is set, the
// subscribers of that segment of the brand's list at that moment (see
// addSegment). Suppressed subscribers are left out.
func (s *DB) Recipients(ctx context.Context, d *Delivery, addresses []string, seg *Segment) ([]Recipient, error) {
	if err := s.FixRecipients(ctx, d, addresses, seg); err != nil {
		return nil, err
	}
	return s.DeliveryRecipients(ctx, d)
}

// FixRecipients creates an email delivery's recipients as Recipients
// does, without reading them back: a list of a million is not held in
// memory to plan its batches.
func (s *DB) FixRecipients(ctx context.Context, d *Delivery, addresses []string, seg *Segment) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM delivery_recipients WHERE delivery_id = $1`, d.ID).Scan(&n); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if n > 0 {
			return nil
		}
		now := s.now()
		if seg != nil {
			if err := s.addSegment(ctx, tx, d, *seg); err != nil {
				return err
			}
		}
		for _, a := range addresses {
			_, err := s.exec(ctx, tx, `INSERT INTO delivery_recipients (delivery_id, address, status, updated_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT DO NOTHING`, d.ID, normAddress(a), DelPending, now)
			if err != nil {
				return fmt.Errorf("store: %w", err)
			}
		}
		return nil
	})
}

// DeliveryRecipients returns an email delivery's recipients with their
// unsubscribe tokens.
func (s *DB) DeliveryRecipients(ctx context.Context, d *Delivery) ([]Recipient, error) {
	rows, err := s.query(ctx, s.db, `SELECT r.address, r.status, r.external_id, r.error, COALESCE(sb.token, '') FROM delivery_recipients r
		LEFT JOIN subscribers sb ON sb.brand_id = $2 AND sb.address = r.address
		WHERE r.delivery_id = $1 ORDER BY r.address`, d.ID, d.BrandID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []Recipient
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.Address, &r.Status, &r.ExternalID, &r.Error, &r.Token); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ClaimRecipient moves one recipient to sending before the message goes
// out. A recipient found sending was interrupted mid-send: SMTP cannot
// tell a repeat, so it becomes unknown and is not sent again. An address
// suppressed since the list was made is skipped.
func (s *DB) ClaimRecipient(ctx context.Context, d *Delivery, address string) (Claim, error) {
	claim := ClaimDone
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var status string
		err := s.queryRow(ctx, tx, `SELECT status FROM delivery_recipients WHERE delivery_id = $1 AND address = $2`+s.forUpdate(), d.ID, address).Scan(&status)
		if err != nil {
			return fmt.Errorf("store: recipient: %w", err)
		}
		next := ""
		switch status {
		case DelPending:
			var n int
			if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM suppressions WHERE brand_id = $1 AND address = $2`, d.BrandID, address).Scan(&n); err != nil {
				return fmt.Errorf("store: %w", err)
			}
			claim, next = ClaimGo, DelSending
			if n > 0 {
				claim, next = ClaimDone, DelSuppressed
			}
		case DelSending:
			claim, next = ClaimUnknown, DelUnknown
		default:
			return nil
		}
		_, err = s.exec(ctx, tx, `UPDATE delivery_recipients SET status = $3, updated_at = $4 WHERE delivery_id = $1 AND address = $2`,
			d.ID, address, next, s.now())
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
	return claim, err
}

// FinishRecipient records one recipient's outcome: sent with the
// message's id, failed (a permanent refusal) or pending again (a
// temporary one, which the task's retry sends).
func (s *DB) FinishRecipient(ctx context.Context, d *Delivery, address, status, externalID, errText string) error {
	_, err := s.exec(ctx, s.db, `UPDATE delivery_recipients SET status = $3, external_id = $4, error = $5, updated_at = $6
		WHERE delivery_id = $1 AND address = $2 AND status = 'sending'`, d.ID, address, status, externalID, errText, s.now())
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
