package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Where a consent record's change came from.
const (
	ConsentForm        = "signup_form"
	ConsentImport      = "import"
	ConsentAPI         = "api"
	ConsentPreferences = "preference_centre"
	ConsentOneClick    = "one_click"
	ConsentBounce      = "bounce"
)

// Consent is one record of the consent log: a change of a subscriber's
// status or choices, with how it came about.
type Consent struct {
	ID      int64     `json:"-"`
	At      time.Time `json:"at"`
	Source  string    `json:"source"` // one of the Consent constants
	Action  string    `json:"action"` // signup, opt_in, confirm, preferences, pause, resume, or the status it ended with
	Status  string    `json:"status"` // the subscriber's status after it
	Lang    string    `json:"lang"`
	Topics  []string  `json:"topics"`
	Wording string    `json:"wording,omitempty"` // the text or form version shown, or an import's basis
	// ClientHash is a keyed hash of the client's network address, when
	// the change came over HTTP from the subscriber.
	ClientHash string `json:"client_hash,omitempty"`
}

// addConsent records c for sb as it now stands.
func (s *DB) addConsent(ctx context.Context, tx *sql.Tx, sb *Subscriber, c Consent, action string, now time.Time) error {
	if c.Source == "" {
		return fmt.Errorf("store: a consent record needs its source: %w", ErrInvalid)
	}
	_, err := s.exec(ctx, tx, `INSERT INTO consents (brand_id, address, at, source, action, status, lang, topics, wording, client_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		sb.BrandID, sb.Address, now, c.Source, action, sb.Status, sb.Lang, joinTopics(sb.Topics), c.Wording, c.ClientHash)
	if err != nil {
		return fmt.Errorf("store: consent: %w", err)
	}
	return nil
}

// Consents returns a subscriber's consent log, oldest first.
func (s *DB) Consents(ctx context.Context, brandID, address string) ([]Consent, error) {
	rows, err := s.query(ctx, s.db, `SELECT id, at, source, action, status, lang, topics, wording, client_hash FROM consents
		WHERE brand_id = $1 AND address = $2 ORDER BY id`, brandID, normAddress(address))
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	out := []Consent{}
	for rows.Next() {
		var c Consent
		var topics string
		if err := rows.Scan(&c.ID, &c.At, &c.Source, &c.Action, &c.Status, &c.Lang, &topics, &c.Wording, &c.ClientHash); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		c.At, c.Topics = c.At.UTC(), splitTopics(topics)
		out = append(out, c)
	}
	return out, rows.Err()
}
