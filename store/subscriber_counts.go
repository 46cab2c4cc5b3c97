package store

import (
	"context"
	"fmt"
	"strings"
)

// likeEscaper makes text match itself in a LIKE … ESCAPE '\' pattern.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// SubscriberCounts are a brand's subscribers counted by status, and the
// active ones by language and topic.
type SubscriberCounts struct {
	Total    int
	ByStatus map[string]int
	ByLang   map[string]int
	ByTopic  map[string]int
}

// CountSubscribers counts a brand's subscribers. The database groups by
// the stored topics string, so Go only splits the few distinct ones.
func (s *DB) CountSubscribers(ctx context.Context, brandID string) (*SubscriberCounts, error) {
	rows, err := s.query(ctx, s.db, `SELECT status, lang, topics, COUNT(*) FROM subscribers WHERE brand_id = $1 GROUP BY status, lang, topics`, brandID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	c := &SubscriberCounts{ByStatus: map[string]int{}, ByLang: map[string]int{}, ByTopic: map[string]int{}}
	for rows.Next() {
		var status, lang, topics string
		var n int
		if err := rows.Scan(&status, &lang, &topics, &n); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		c.Total += n
		c.ByStatus[status] += n
		if status != SubActive {
			continue
		}
		c.ByLang[lang] += n
		for _, t := range splitTopics(topics) {
			c.ByTopic[t] += n
		}
	}
	return c, rows.Err()
}
