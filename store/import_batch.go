package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// importChunk bounds one batched statement: 500 rows of at most 11
// parameters stay far under SQLite's 32,766 and PostgreSQL's 65,535, and
// one round trip carries 500 rows instead of one.
const importChunk = 500

// importBatch joins a chunk of import rows inside tx with a handful of
// statements instead of about five a row: one SELECT finds the addresses
// already on the list and one the erased ones, then the new subscribers,
// their consent records and any revived suppressions are each one
// multi-row INSERT. Addresses already on the list go through join, row
// by row, as a sign-up does: their rules (a suppression outlives a
// re-add) live there once. addrs are the rows' normalized addresses,
// distinct within the import.
func (s *DB) importBatch(ctx context.Context, tx *sql.Tx, rows []ImportRow, addrs []string, now time.Time, counts *ImportResult) ([]Task, error) {
	known, err := s.existingIn(ctx, tx, rows, addrs)
	if err != nil {
		return nil, err
	}
	tombs, err := s.tombstonesIn(ctx, tx, rows, addrs, known)
	if err != nil {
		return nil, err
	}
	var tasks []Task
	var fresh []*Subscriber
	var consents []batchConsent
	var revivedRows []revived
	for i, r := range rows {
		j, addr := r.Join, addrs[i]
		key := j.BrandID + "\x00" + addr
		if known[key] {
			out, err := s.join(ctx, tx, j, addr, now)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", r.Line, err)
			}
			tally(counts, out)
			tasks = append(tasks, out.Tasks...)
			continue
		}
		if j.Consent.Source == "" {
			return nil, fmt.Errorf("line %d: store: a consent record needs its source: %w", r.Line, ErrInvalid)
		}
		status := SubPending
		if j.Confirmed {
			status = SubActive
		}
		reason, erased := tombs[key]
		if erased {
			status = statusOfReason(reason)
		}
		buf := make([]byte, 18)
		rand.Read(buf)
		sb := &Subscriber{BrandID: j.BrandID, Address: addr, Status: status, Lang: j.Lang, Topics: splitTopics(joinTopics(j.Topics)),
			Token: base64.RawURLEncoding.EncodeToString(buf), CreatedAt: now, ChangedAt: now}
		if status == SubActive {
			sb.ConfirmedAt = now
		}
		if erased {
			revivedRows = append(revivedRows, revived{sb, reason})
		}
		out := &Joined{Subscriber: sb, Created: true, Suppressed: SuppressedStatus(status)}
		if needsMail := status == SubPending || (out.Suppressed && !j.Confirmed && !j.QuietSuppressed); needsMail && j.Confirm != nil {
			t, err := j.Confirm(sb.Token, now)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", r.Line, err)
			}
			sb.ConfirmSentAt = now
			tasks = append(tasks, t)
		}
		action := "signup"
		if status == SubActive {
			action = "opt_in"
		}
		fresh = append(fresh, sb)
		consents = append(consents, batchConsent{sb: sb, c: j.Consent, action: action})
		tally(counts, out)
	}
	if err := s.reviveSuppressions(ctx, tx, revivedRows, now); err != nil {
		return nil, err
	}
	if err := s.insertSubscribers(ctx, tx, fresh, now); err != nil {
		return nil, err
	}
	if err := s.insertConsents(ctx, tx, consents, now); err != nil {
		return nil, err
	}
	return tasks, nil
}

// tally counts one joined row into an import's result.
func tally(c *ImportResult, j *Joined) {
	if j.Created {
		c.Created++
	} else {
		c.Existing++
	}
	switch {
	case j.Suppressed:
		c.Suppressed++
	case j.Subscriber.Status == SubActive:
		c.Active++
	default:
		c.Pending++
	}
}

// revived is an erased address imported again, with the reason its
// hashed suppression kept.
type revived struct {
	sb     *Subscriber
	reason string
}

type batchConsent struct {
	sb     *Subscriber
	c      Consent
	action string
}

// param is the nth parameter's placeholder in the batched statements:
// $n on PostgreSQL; a plain ? on SQLite, where the statements number
// their parameters in order anyway: modernc.org/sqlite looks each $n or
// ?n up by name when binding, which is quadratic in a statement of
// thousands of parameters.
func (s *DB) param(n int) string {
	if s.dialect == postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// placeholders is "($1, $2, …), (…)" for rows of cols parameters,
// numbered from 1.
func (s *DB) placeholders(rows, cols int) string {
	var b strings.Builder
	n := 1
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteString(s.param(n))
			n++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// inList is "$from, $from+1, …" for n parameters.
func (s *DB) inList(from, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = s.param(from + i)
	}
	return strings.Join(parts, ", ")
}

// byBrand groups the indexes of rows by brand, in first-seen order.
func byBrand(rows []ImportRow) ([]string, map[string][]int) {
	var order []string
	idx := map[string][]int{}
	for i, r := range rows {
		if _, ok := idx[r.Join.BrandID]; !ok {
			order = append(order, r.Join.BrandID)
		}
		idx[r.Join.BrandID] = append(idx[r.Join.BrandID], i)
	}
	return order, idx
}

// existingIn reports which of the rows' addresses are on their brand's
// list, keyed brand NUL address. The statements here vary in length, so
// they run on tx directly rather than as kept prepared statements.
func (s *DB) existingIn(ctx context.Context, tx *sql.Tx, rows []ImportRow, addrs []string) (map[string]bool, error) {
	out := map[string]bool{}
	order, idx := byBrand(rows)
	for _, brand := range order {
		args := []any{brand}
		for _, i := range idx[brand] {
			args = append(args, addrs[i])
		}
		if err := s.scanAddresses(ctx, tx, `SELECT address FROM subscribers WHERE brand_id = `+s.param(1)+` AND address IN (`+s.inList(2, len(args)-1)+`)`, args, func(addr, _ string) {
			out[brand+"\x00"+addr] = true
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// tombstonesIn finds the erased addresses among the rows not on the
// list: their suppression reason, keyed brand NUL address.
func (s *DB) tombstonesIn(ctx context.Context, tx *sql.Tx, rows []ImportRow, addrs []string, known map[string]bool) (map[string]string, error) {
	out := map[string]string{}
	order, idx := byBrand(rows)
	for _, brand := range order {
		args := []any{brand}
		hashed := map[string]string{}
		for _, i := range idx[brand] {
			if known[brand+"\x00"+addrs[i]] {
				continue
			}
			h := tombstone(addrs[i])
			hashed[h] = addrs[i]
			args = append(args, h)
		}
		if len(args) == 1 {
			continue
		}
		if err := s.scanAddresses(ctx, tx, `SELECT address, reason FROM suppressions WHERE brand_id = `+s.param(1)+` AND address IN (`+s.inList(2, len(args)-1)+`)`, args, func(h, reason string) {
			out[brand+"\x00"+hashed[h]] = reason
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanAddresses runs q and passes each row's one or two text columns to fn.
func (s *DB) scanAddresses(ctx context.Context, tx *sql.Tx, q string, args []any, fn func(a, b string)) error {
	rs, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: %w", classify(err))
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	for rs.Next() {
		var a, b string
		dest := []any{&a}
		if len(cols) > 1 {
			dest = append(dest, &b)
		}
		if err := rs.Scan(dest...); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		fn(a, b)
	}
	if err := rs.Err(); err != nil {
		return fmt.Errorf("store: %w", classify(err))
	}
	return nil
}

// reviveSuppressions turns the erased addresses' hashed suppressions back
// into ones under their addresses, as takeTombstone does for one.
func (s *DB) reviveSuppressions(ctx context.Context, tx *sql.Tx, rs []revived, now time.Time) error {
	for _, r := range rs {
		sb := r.sb
		if _, err := tx.ExecContext(ctx, `DELETE FROM suppressions WHERE brand_id = $1 AND address = $2`, sb.BrandID, tombstone(sb.Address)); err != nil {
			return fmt.Errorf("store: %w", classify(err))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO suppressions (brand_id, address, reason, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (brand_id, address) DO NOTHING`, sb.BrandID, sb.Address, r.reason, now); err != nil {
			return fmt.Errorf("store: %w", classify(err))
		}
	}
	return nil
}

// insertSubscribers adds new subscribers in one statement. One that
// appeared since existingIn looked (a sign-up racing the import) makes
// the transaction start again.
func (s *DB) insertSubscribers(ctx context.Context, tx *sql.Tx, sbs []*Subscriber, now time.Time) error {
	if len(sbs) == 0 {
		return nil
	}
	args := make([]any, 0, len(sbs)*10)
	for _, sb := range sbs {
		args = append(args, sb.BrandID, sb.Address, sb.Token, sb.Status, sb.Lang, joinTopics(sb.Topics), now, nullTime(sb.ConfirmedAt), now, nullTime(sb.ConfirmSentAt))
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO subscribers (brand_id, address, token, status, lang, topics, created_at, confirmed_at, changed_at, confirm_sent_at)
		VALUES `+s.placeholders(len(sbs), 10)+` ON CONFLICT (brand_id, address) DO NOTHING`, args...)
	if err != nil {
		return fmt.Errorf("store: %w", classify(err))
	}
	if n, _ := res.RowsAffected(); n != int64(len(sbs)) {
		return errLostRace
	}
	return nil
}

// insertConsents records the new subscribers' consents in one statement,
// as addConsent does for one.
func (s *DB) insertConsents(ctx context.Context, tx *sql.Tx, cs []batchConsent, now time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	args := make([]any, 0, len(cs)*10)
	for _, c := range cs {
		args = append(args, c.sb.BrandID, c.sb.Address, now, c.c.Source, c.action, c.sb.Status, c.sb.Lang, joinTopics(c.sb.Topics), c.c.Wording, c.c.ClientHash)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO consents (brand_id, address, at, source, action, status, lang, topics, wording, client_hash)
		VALUES `+s.placeholders(len(cs), 10), args...); err != nil {
		return fmt.Errorf("store: insert consents: %w", classify(err))
	}
	return nil
}

// insertOutboxBatch is insertOutbox for many tasks, importChunk to a
// statement; the ids come back by task id, which RETURNING gives in no
// promised order.
func (s *DB) insertOutboxBatch(ctx context.Context, tx *sql.Tx, tasks []Task, now time.Time) ([]Task, error) {
	out := make([]Task, 0, len(tasks))
	for start := 0; start < len(tasks); start += importChunk {
		chunk := tasks[start:min(start+importChunk, len(tasks))]
		args := make([]any, 0, len(chunk)*6)
		for _, t := range chunk {
			var at sql.NullTime
			if !t.ProcessAt.IsZero() {
				at = sql.NullTime{Time: t.ProcessAt.UTC(), Valid: true}
			}
			args = append(args, t.Type, t.ID, t.Queue, t.Payload, at, now)
		}
		rs, err := tx.QueryContext(ctx, `INSERT INTO outbox (task_type, task_id, queue, payload, process_at, created_at)
			VALUES `+s.placeholders(len(chunk), 6)+` RETURNING id, task_id`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: insert outbox: %w", classify(err))
		}
		ids := map[string][]int64{}
		for rs.Next() {
			var id int64
			var taskID string
			if err := rs.Scan(&id, &taskID); err != nil {
				rs.Close()
				return nil, fmt.Errorf("store: insert outbox: %w", err)
			}
			ids[taskID] = append(ids[taskID], id)
		}
		err = rs.Err()
		rs.Close()
		if err != nil {
			return nil, fmt.Errorf("store: insert outbox: %w", classify(err))
		}
		for _, t := range chunk {
			got := ids[t.ID]
			if len(got) == 0 {
				return nil, fmt.Errorf("store: insert outbox: no id came back for task %s", t.ID)
			}
			// Equal task ids are the same task written twice; which of
			// the rows each copy names does not matter.
			t.OutboxID, ids[t.ID] = got[0], got[1:]
			out = append(out, t)
		}
	}
	return out, nil
}
