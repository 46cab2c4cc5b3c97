package store

import (
	"context"
	"fmt"
	"strings"
)

// BadgeNoTarget is a channel's state once its version is publishing or
// published when the brand has no target for the channel: it never
// goes out.
const BadgeNoTarget = "no-target"

// Badge is one channel's state in the inbox: its rendering status, or
// once the version is approved, scheduled, publishing, published (to
// Targets), failed or unknown, or BadgeNoTarget.
type Badge struct {
	Channel string   `json:"channel"`
	Status  string   `json:"status"`
	Targets []string `json:"targets,omitempty"` // where it went out
}

// Label is the status as the inbox words it.
func (b Badge) Label() string {
	if b.Status == BadgeNoTarget {
		return "no target"
	}
	return b.Status
}

// Badges returns the per-channel state of each item's latest version,
// in three queries for the whole page of items.
func (s *DB) Badges(ctx context.Context, items []Item) (map[string][]Badge, error) {
	out := make(map[string][]Badge, len(items))
	if len(items) == 0 {
		return out, nil
	}
	args := make([]any, 0, 2*len(items))
	var pairs []string
	for _, it := range items {
		args = append(args, it.ID, it.LatestVersion)
		pairs = append(pairs, fmt.Sprintf("(item_id = $%d AND version = $%d)", len(args)-1, len(args)))
	}
	where := strings.Join(pairs, " OR ")

	type key struct{ item, channel string }
	pubs := map[string]string{}
	rows, err := s.query(ctx, s.db, `SELECT item_id, status FROM publications WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	for rows.Next() {
		var id, st string
		if err := rows.Scan(&id, &st); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
		pubs[id] = st
	}
	rows.Close()

	// A channel counts as published once any of its deliveries is sent;
	// before that, a failed or unknown one shows.
	type dlv struct {
		sent           []string
		failed, unsure bool
	}
	dlvs := map[key]*dlv{}
	if len(pubs) > 0 {
		rows, err = s.query(ctx, s.db, `SELECT item_id, channel, target, status FROM deliveries WHERE (`+where+`) ORDER BY target`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		for rows.Next() {
			var k key
			var target, st string
			if err := rows.Scan(&k.item, &k.channel, &target, &st); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: %w", err)
			}
			d := dlvs[k]
			if d == nil {
				d = &dlv{}
				dlvs[k] = d
			}
			switch st {
			case DelSent:
				d.sent = append(d.sent, target)
			case DelFailed:
				d.failed = true
			case DelUnknown:
				d.unsure = true
			}
		}
		rows.Close()
	}

	rows, err = s.query(ctx, s.db, `SELECT item_id, channel, status FROM renderings WHERE `+where+` ORDER BY item_id, channel`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b Badge
		var id string
		if err := rows.Scan(&id, &b.Channel, &b.Status); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		d, started := dlvs[key{id, b.Channel}], pubs[id] == PubPublishing || pubs[id] == PubPublished
		switch {
		case d != nil && len(d.sent) > 0:
			b.Status, b.Targets = PubPublished, d.sent
		case b.Status != StatusRendered:
		case pubs[id] == PubScheduled:
			b.Status = PubScheduled
		case started && d == nil:
			b.Status = BadgeNoTarget
		case started && d.failed:
			b.Status = DelFailed
		case started && d.unsure:
			b.Status = DelUnknown
		case started:
			b.Status = PubPublishing
		}
		out[id] = append(out[id], b)
	}
	return out, rows.Err()
}

// Languages lists the languages items are written in, for the inbox filter.
func (s *DB) Languages(ctx context.Context) ([]string, error) {
	rows, err := s.query(ctx, s.db, `SELECT DISTINCT lang FROM items ORDER BY lang`)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
