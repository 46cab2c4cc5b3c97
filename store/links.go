package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"fmt"
	"strings"
)

// Link is a tracked cross-link: /r/<Code> redirects to URL and counts the
// click for the channel and variant it was published in.
type Link struct {
	Code    string `json:"code"`
	ItemID  string `json:"item_id"`
	Version int    `json:"version"`
	Channel string `json:"channel"`
	Variant string `json:"variant,omitempty"`
	URL     string `json:"url"`
	Clicks  int64  `json:"clicks"`
	// Dest is where the link leads, for the channel paths: DestPortal,
	// DestCatalog or DestWeb ("" for links made before it was kept).
	Dest string `json:"dest,omitempty"`
	// BrandID is the item's brand, filled in by the store.
	BrandID string `json:"brand_id,omitempty"`
}

// LinkCode derives a link's code from what it is, so publishing the same
// rendering twice makes the same short links.
func LinkCode(itemID string, version int, channel, variant, url string) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%d\x00%s\x00%s\x00%s", itemID, version, channel, variant, url)))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:]))[:12]
}

// PutLinks records tracked links; ones already known are kept as they are.
func (s *DB) PutLinks(ctx context.Context, links []Link) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		for _, l := range links {
			_, err := s.exec(ctx, tx, `INSERT INTO links (code, item_id, version, channel, variant, url, created_at, dest, brand_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, COALESCE((SELECT brand_id FROM items WHERE id = $2), ''))
				ON CONFLICT (code) DO NOTHING`, l.Code, l.ItemID, l.Version, l.Channel, l.Variant, l.URL, now, l.Dest)
			if err != nil {
				return fmt.Errorf("store: link: %w", err)
			}
		}
		return nil
	})
}

// Click counts one click on code and returns where it goes.
func (s *DB) Click(ctx context.Context, code string) (string, error) {
	l, err := s.CountClick(ctx, code)
	return l.URL, err
}

// Links returns an item's tracked links with their clicks.
func (s *DB) Links(ctx context.Context, itemID string) ([]Link, error) {
	rows, err := s.query(ctx, s.db, `SELECT code, version, channel, variant, url, clicks, dest, brand_id FROM links WHERE item_id = $1
		ORDER BY channel, variant, url, version`, itemID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []Link
	for rows.Next() {
		l := Link{ItemID: itemID}
		if err := rows.Scan(&l.Code, &l.Version, &l.Channel, &l.Variant, &l.URL, &l.Clicks, &l.Dest, &l.BrandID); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
