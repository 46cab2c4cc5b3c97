package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// BatchDone is a batch all of whose recipients are final.
const BatchDone = "done"

// MaxBatchSize bounds a batch: its recipients are held in memory by the
// task that sends it.
const MaxBatchSize = 10_000

// Batch is one range of an email delivery's recipients, sent by its own
// task: the addresses from First to Last, in address order.
type Batch struct {
	DeliveryID  int64
	DeliveryKey string
	Kind        string
	N           int // 0, 1, …
	First, Last string
	Size        int
	Status      string // pending, sending or done
	Attempts    int
	Ended       int
	Error       string
	UpdatedAt   time.Time
}

const batchCols = `b.delivery_id, d.idempotency_key, d.kind, b.batch, b.first_address, b.last_address, b.size, b.status, b.attempts, b.ended, b.error, b.updated_at`

func scanBatch(r rowScanner) (*Batch, error) {
	b := &Batch{}
	err := r.Scan(&b.DeliveryID, &b.DeliveryKey, &b.Kind, &b.N, &b.First, &b.Last, &b.Size, &b.Status, &b.Attempts, &b.Ended, &b.Error, &b.UpdatedAt)
	return b, err
}

func (s *DB) batches(ctx context.Context, x execer, query string, args ...any) ([]Batch, error) {
	rows, err := s.query(ctx, x, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []Batch
	for rows.Next() {
		b, err := scanBatch(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, *b)
	}
	return out, rows.Err()
}

// Batches returns a delivery's batches in order (none before planning).
func (s *DB) Batches(ctx context.Context, d *Delivery) ([]Batch, error) {
	return s.batches(ctx, s.db, `SELECT `+batchCols+` FROM delivery_batches b JOIN deliveries d ON d.id = b.delivery_id
		WHERE b.delivery_id = $1 ORDER BY b.batch`, d.ID)
}

// PlanBatches splits a delivery's recipients, which must already be in
// delivery_recipients (the contract every maker of a recipient list
// keeps), into batches of size addresses. A delivery planned before
// keeps its batches: planning again returns them.
func (s *DB) PlanBatches(ctx context.Context, d *Delivery, size int) ([]Batch, error) {
	if size < 1 || size > MaxBatchSize {
		return nil, fmt.Errorf("store: batch size %d is not between 1 and %d", size, MaxBatchSize)
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM delivery_batches WHERE delivery_id = $1`, d.ID).Scan(&n); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if n > 0 {
			return nil
		}
		// One pass over the addresses in order keeps only the ranges'
		// ends, however long the list.
		rows, err := s.query(ctx, tx, `SELECT address FROM delivery_recipients WHERE delivery_id = $1 ORDER BY address`, d.ID)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		type span struct {
			first, last string
			n           int
		}
		var spans []span
		for rows.Next() {
			var a string
			if err := rows.Scan(&a); err != nil {
				rows.Close()
				return fmt.Errorf("store: %w", err)
			}
			if len(spans) == 0 || spans[len(spans)-1].n == size {
				spans = append(spans, span{first: a})
			}
			sp := &spans[len(spans)-1]
			sp.last = a
			sp.n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		now := s.now()
		for i, sp := range spans {
			if _, err := s.exec(ctx, tx, `INSERT INTO delivery_batches (delivery_id, batch, first_address, last_address, size, status, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, d.ID, i, sp.first, sp.last, sp.n, DelPending, now); err != nil {
				return fmt.Errorf("store: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.batches(ctx, s.db, `SELECT `+batchCols+` FROM delivery_batches b JOIN deliveries d ON d.id = b.delivery_id
		WHERE b.delivery_id = $1 ORDER BY b.batch`, d.ID)
}

// ClaimBatch moves batch n of the delivery key to sending before its
// messages go out, counting the attempt. Recipients of the batch found
// sending were interrupted mid-send (SMTP cannot tell a repeat): they
// become unknown and are not sent again. Addresses suppressed since the
// list was made are marked so. A batch whose runs never ended
// MaxUnended times is given up: its recipients in flight are unknown,
// the rest failed, since running it again may kill another worker.
func (s *DB) ClaimBatch(ctx context.Context, key string, n int) (Claim, *Delivery, *Batch, error) {
	claim := ClaimDone
	var d *Delivery
	var b *Batch
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = scanDelivery(s.queryRow(ctx, tx, `SELECT `+deliveryCols+` FROM deliveries WHERE idempotency_key = $1`, key))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("delivery %q: %w", key, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		b, err = scanBatch(s.queryRow(ctx, tx, `SELECT `+batchCols+` FROM delivery_batches b JOIN deliveries d ON d.id = b.delivery_id
			WHERE b.delivery_id = $1 AND b.batch = $2`+s.forUpdateOf("b"), d.ID, n))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("delivery %q batch %d: %w", key, n, ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if b.Status == BatchDone || d.Status != DelSending {
			return nil // finished, or the delivery was resolved or cancelled
		}
		now := s.now()
		inFlight := `UPDATE delivery_recipients SET status = $5, error = $6, updated_at = $7
			WHERE delivery_id = $1 AND address >= $2 AND address <= $3 AND status = $4`
		if _, err := s.exec(ctx, tx, inFlight, d.ID, b.First, b.Last, DelSending, DelUnknown,
			"interrupted while sending; SMTP cannot tell a repeat, so it was not sent again", now); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if b.Status == DelSending && b.Attempts-b.Ended >= MaxUnended {
			if _, err := s.exec(ctx, tx, inFlight, d.ID, b.First, b.Last, DelPending, DelFailed, DiedError+"; not sent", now); err != nil {
				return fmt.Errorf("store: %w", err)
			}
			b.Status, b.Error = BatchDone, DiedError
			_, err = s.exec(ctx, tx, `UPDATE delivery_batches SET status = $3, error = $4, updated_at = $5 WHERE delivery_id = $1 AND batch = $2`,
				d.ID, n, b.Status, b.Error, now)
			if err != nil {
				return fmt.Errorf("store: %w", err)
			}
			claim = ClaimUnknown
			return s.finishIfDone(ctx, tx, d, "")
		}
		if _, err := s.exec(ctx, tx, `UPDATE delivery_recipients SET status = $4, updated_at = $5
			WHERE delivery_id = $1 AND address >= $2 AND address <= $3 AND status = 'pending'
			AND address IN (SELECT address FROM suppressions WHERE brand_id = $6)`, d.ID, b.First, b.Last, DelSuppressed, now, d.BrandID); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		claim = ClaimGo
		b.Status = DelSending
		b.Attempts++
		_, err = s.exec(ctx, tx, `UPDATE delivery_batches SET status = $3, attempts = $4, updated_at = $5 WHERE delivery_id = $1 AND batch = $2`,
			d.ID, n, b.Status, b.Attempts, now)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
	return claim, d, b, err
}

// forUpdateOf locks only table alias's rows of a join on PostgreSQL.
func (s *DB) forUpdateOf(alias string) string {
	if s.dialect == postgres {
		return " FOR UPDATE OF " + alias
	}
	return ""
}

// BatchRecipients returns the batch's recipients still to send, with
// their unsubscribe tokens.
func (s *DB) BatchRecipients(ctx context.Context, d *Delivery, b *Batch) ([]Recipient, error) {
	rows, err := s.query(ctx, s.db, `SELECT r.address, r.status, COALESCE(sb.token, '') FROM delivery_recipients r
		LEFT JOIN subscribers sb ON sb.brand_id = $2 AND sb.address = r.address
		WHERE r.delivery_id = $1 AND r.address >= $3 AND r.address <= $4 AND r.status = 'pending' ORDER BY r.address`,
		d.ID, d.BrandID, b.First, b.Last)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	out := make([]Recipient, 0, b.Size)
	for rows.Next() {
		var r Recipient
		if err := rows.Scan(&r.Address, &r.Status, &r.Token); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Outcome is one recipient's result, as FinishRecipient records it.
type Outcome struct {
	Address, Status, ExternalID, Error string
}

// Step is one sender's move: record Done (when set), then claim Next
// (when not empty).
type Step struct {
	Done *Outcome
	Next string
}

// StepRecipient records done (when set), then claims next (when not
// empty) for sending, in one transaction. It reports whether next was
// claimed; false means another run has it or it is no longer pending.
func (s *DB) StepRecipient(ctx context.Context, d *Delivery, done *Outcome, next string) (bool, error) {
	ok, err := s.StepRecipients(ctx, d, []Step{{Done: done, Next: next}})
	if err != nil {
		return false, err
	}
	return ok[0], nil
}

// StepRecipients makes the steps of several senders in one transaction
// (a group commit), in order, reporting for each whether its Next was
// claimed.
func (s *DB) StepRecipients(ctx context.Context, d *Delivery, steps []Step) ([]bool, error) {
	claimed := make([]bool, len(steps))
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		for i, st := range steps {
			claimed[i] = false
			if st.Done != nil {
				if _, err := s.exec(ctx, tx, `UPDATE delivery_recipients SET status = $3, external_id = $4, error = $5, updated_at = $6
					WHERE delivery_id = $1 AND address = $2 AND status = 'sending'`, d.ID, st.Done.Address, st.Done.Status, st.Done.ExternalID, st.Done.Error, now); err != nil {
					return fmt.Errorf("store: %w", err)
				}
			}
			if st.Next == "" {
				continue
			}
			res, err := s.exec(ctx, tx, `UPDATE delivery_recipients SET status = 'sending', updated_at = $3
				WHERE delivery_id = $1 AND address = $2 AND status = 'pending'`, d.ID, st.Next, now)
			if err != nil {
				return fmt.Errorf("store: %w", err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return fmt.Errorf("store: %w", err)
			}
			claimed[i] = k == 1
		}
		return nil
	})
	return claimed, err
}

// ReleaseBatch puts a sending batch back to pending (a temporary failure,
// or its run's deadline near): its pending recipients go out on the next
// run.
func (s *DB) ReleaseBatch(ctx context.Context, d *Delivery, n int, errText string) error {
	_, err := s.exec(ctx, s.db, `UPDATE delivery_batches SET status = $3, error = $4, updated_at = $5,
		ended = CASE WHEN ended < attempts THEN ended + 1 ELSE ended END
		WHERE delivery_id = $1 AND batch = $2 AND status = 'sending'`, d.ID, n, DelPending, errText, s.now())
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// FinishBatch records a batch done; the last batch of a delivery to
// finish makes the delivery final (see finishIfDone) in the same
// transaction, so a crash cannot leave every batch done and the
// delivery sending. It returns the delivery as it then stands.
func (s *DB) FinishBatch(ctx context.Context, d *Delivery, n int, errText, externalURL string) (*Delivery, error) {
	return s.endBatches(ctx, d, externalURL, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `UPDATE delivery_batches SET status = $3, error = $4, updated_at = $5,
			ended = CASE WHEN ended < attempts THEN ended + 1 ELSE ended END
			WHERE delivery_id = $1 AND batch = $2 AND status = 'sending'`, d.ID, n, BatchDone, errText, s.now()); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
}

// endBatches runs end inside one transaction after locking the
// delivery's row, then makes the delivery final if no batch is left
// (finishIfDone): batches ending at once take turns, so exactly one of
// them sees every batch done. It returns the delivery as it then stands.
func (s *DB) endBatches(ctx context.Context, d *Delivery, externalURL string, end func(tx *sql.Tx) error) (*Delivery, error) {
	var out *Delivery
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = scanDelivery(s.queryRow(ctx, tx, `SELECT `+deliveryCols+` FROM deliveries WHERE id = $1`+s.forUpdate(), d.ID))
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := end(tx); err != nil {
			return err
		}
		return s.finishIfDone(ctx, tx, out, externalURL)
	})
	return out, err
}

// FinishEmptyBatches makes a sending delivery with no batches left to
// send final, as the last batch would have (a list with no recipients,
// or a crash after planning found every batch done).
func (s *DB) FinishEmptyBatches(ctx context.Context, d *Delivery, externalURL string) (*Delivery, error) {
	return s.endBatches(ctx, d, externalURL, func(*sql.Tx) error { return nil })
}

// Progress is where an email delivery stands, recipient by recipient.
type Progress struct {
	Total, Sent, Failed, Unknown, Suppressed, Remaining int
	Batches, BatchesDone                                int
	// PerSecond is the rate of the last minute; ETA the time left at it
	// (0 when nothing moved).
	PerSecond float64
	ETA       time.Duration
}

// DeliveryProgress counts a delivery's recipients by state.
func (s *DB) DeliveryProgress(ctx context.Context, d *Delivery) (Progress, error) {
	var p Progress
	c, err := s.recipientCounts(ctx, s.db, d.ID)
	if err != nil {
		return p, err
	}
	p.Sent, p.Failed, p.Unknown, p.Suppressed = c[DelSent], c[DelFailed], c[DelUnknown], c[DelSuppressed]
	p.Remaining = c[DelPending] + c[DelSending]
	for _, v := range c {
		p.Total += v
	}
	err = s.queryRow(ctx, s.db, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END), 0) FROM delivery_batches WHERE delivery_id = $1`,
		d.ID).Scan(&p.Batches, &p.BatchesDone)
	if err != nil {
		return p, fmt.Errorf("store: %w", err)
	}
	var recent int
	if err := s.queryRow(ctx, s.db, `SELECT COUNT(*) FROM delivery_recipients WHERE delivery_id = $1 AND status = 'sent' AND updated_at > $2`,
		d.ID, s.now().Add(-time.Minute)).Scan(&recent); err != nil {
		return p, fmt.Errorf("store: %w", err)
	}
	p.PerSecond = float64(recent) / 60
	if p.PerSecond > 0 && p.Remaining > 0 {
		p.ETA = time.Duration(float64(p.Remaining) / p.PerSecond * float64(time.Second)).Round(time.Second)
	}
	return p, nil
}

func (s *DB) recipientCounts(ctx context.Context, x execer, id int64) (map[string]int, error) {
	rows, err := s.query(ctx, x, `SELECT status, COUNT(*) FROM delivery_recipients WHERE delivery_id = $1 GROUP BY status`, id)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	c := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		c[st] = n
	}
	return c, rows.Err()
}

// finishIfDone makes d, sending, final when none of its batches is left:
// unknown if any recipient is, failed if every one that was tried
// failed, else sent, with the counts as its detail, the message's id
// and, when sent, externalURL (the page it can be read on). d is
// updated.
func (s *DB) finishIfDone(ctx context.Context, tx *sql.Tx, d *Delivery, externalURL string) error {
	if d.Status != DelSending {
		return nil
	}
	var open int
	if err := s.queryRow(ctx, tx, `SELECT COUNT(*) FROM delivery_batches WHERE delivery_id = $1 AND status <> 'done'`, d.ID).Scan(&open); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if open > 0 {
		return nil
	}
	c, err := s.recipientCounts(ctx, tx, d.ID)
	if err != nil {
		return err
	}
	summary := fmt.Sprintf("%d sent, %d failed, %d unknown, %d suppressed", c[DelSent], c[DelFailed], c[DelUnknown], c[DelSuppressed])
	status, errText := DelSent, ""
	switch {
	case c[DelPending]+c[DelSending] > 0:
		return nil // a batch done early (cannot happen: batches cover the list)
	case c[DelUnknown] > 0:
		status, errText = DelUnknown, summary
	case c[DelSent] == 0 && c[DelFailed] > 0:
		status, errText = DelFailed, summary
	}
	var firstErr string
	if status == DelFailed {
		// The first failure says why, as the unbatched send did.
		_ = s.queryRow(ctx, tx, `SELECT address || ': ' || error FROM delivery_recipients WHERE delivery_id = $1 AND status = 'failed' ORDER BY address LIMIT 1`,
			d.ID).Scan(&firstErr)
		errText += "; " + firstErr
	}
	var id string
	if status != DelFailed {
		if err := s.queryRow(ctx, tx, `SELECT external_id FROM delivery_recipients WHERE delivery_id = $1 AND status = 'sent' AND external_id <> '' LIMIT 1`,
			d.ID).Scan(&id); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: %w", err)
		}
	}
	if status != DelSent {
		externalURL = ""
	}
	now := s.now()
	_, err = s.exec(ctx, tx, `UPDATE deliveries SET status = $2, error = $3, updated_at = $4, external_id = $5, external_url = $6,
		ended = CASE WHEN ended < attempts THEN ended + 1 ELSE ended END WHERE id = $1`, d.ID, status, errText, now, id, externalURL)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	d.Status, d.Error, d.UpdatedAt, d.ExternalID, d.ExternalURL = status, errText, now, id, externalURL
	detail := d.Channel + " → " + d.Target + ": " + summary
	return s.addEvent(ctx, tx, Event{Actor: "worker", Kind: "delivery " + status, ItemID: d.ItemID, Version: d.Version, Detail: detail})
}

// DeliveryPlanned records that a delivery's run planned its batches and
// ended: the delivery stays sending until its batches are done.
func (s *DB) DeliveryPlanned(ctx context.Context, key string) error {
	_, err := s.exec(ctx, s.db, `UPDATE deliveries SET updated_at = $2,
		ended = CASE WHEN ended < attempts THEN ended + 1 ELSE ended END
		WHERE idempotency_key = $1 AND status = 'sending'`, key, s.now())
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}

// StalledBatches returns batches of sending deliveries still pending or
// sending since before the cut-off: their task may be lost.
func (s *DB) StalledBatches(ctx context.Context, before time.Time, limit int) ([]Batch, error) {
	return s.batches(ctx, s.db, `SELECT `+batchCols+` FROM delivery_batches b JOIN deliveries d ON d.id = b.delivery_id
		WHERE b.status IN ('pending', 'sending') AND b.updated_at < $1 AND d.status = 'sending'
		ORDER BY b.updated_at LIMIT $2`, before, limit)
}

// FailBatch records a batch given up (a permanent failure, or out of
// retries): its recipients still pending are failed with errText, the
// batch done, and the delivery final if it was the last.
func (s *DB) FailBatch(ctx context.Context, d *Delivery, n int, errText, externalURL string) (*Delivery, error) {
	return s.endBatches(ctx, d, externalURL, func(tx *sql.Tx) error {
		var first, last string
		if err := s.queryRow(ctx, tx, `SELECT first_address, last_address FROM delivery_batches WHERE delivery_id = $1 AND batch = $2`, d.ID, n).Scan(&first, &last); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		now := s.now()
		if _, err := s.exec(ctx, tx, `UPDATE delivery_recipients SET status = $4, error = $5, updated_at = $6
			WHERE delivery_id = $1 AND address >= $2 AND address <= $3 AND status = 'pending'`, d.ID, first, last, DelFailed, errText, now); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if _, err := s.exec(ctx, tx, `UPDATE delivery_batches SET status = $3, error = $4, updated_at = $5,
			ended = CASE WHEN ended < attempts THEN ended + 1 ELSE ended END
			WHERE delivery_id = $1 AND batch = $2 AND status <> 'done'`, d.ID, n, BatchDone, errText, now); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
}
