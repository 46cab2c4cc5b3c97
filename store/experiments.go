package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Experiment states and how one was decided.
const (
	ExpRunning = "running"
	ExpDecided = "decided"
	ExpStopped = "stopped"

	HowAuto     = "auto"      // the metric picked the winner after the wait
	HowEditor   = "editor"    // an editor picked it early
	HowTooSmall = "too_small" // the segment was below min_recipients: the default went to all
	HowStopped  = "stopped"   // an editor stopped it: nobody else was sent anything
)

// DelHeld is the status of the email delivery an A/B test replaced: its
// recipients get a test variant or, later, the winner's delivery.
const DelHeld = "held"

// Ledger variants of an experiment's deliveries: the test share's of
// each email variant, and the rest's winner.
const (
	PhaseTest   = "test"
	PhaseWinner = "winner"
)

// PhaseVariant is the ledger variant of an experiment's delivery of
// email variant name ("" the default) in phase.
func PhaseVariant(phase, name string) string {
	if name == "" {
		return phase
	}
	return phase + ":" + name
}

// SplitPhase reads a ledger variant: the experiment phase and the email
// variant, or ok false for a delivery of no experiment.
func SplitPhase(variant string) (phase, name string, ok bool) {
	phase, name, _ = strings.Cut(variant, ":")
	if phase != PhaseTest && phase != PhaseWinner {
		return "", variant, false
	}
	return phase, name, true
}

// Experiment is one email A/B test of an item version to one target.
type Experiment struct {
	ID            int64         `json:"-"`
	ItemID        string        `json:"item_id"`
	Version       int           `json:"version"`
	Target        string        `json:"target"`
	BrandID       string        `json:"brand"`
	State         string        `json:"state"`
	Share         int           `json:"share"`
	Metric        string        `json:"metric"`
	Wait          time.Duration `json:"-"`
	WaitText      string        `json:"wait"`
	MinRecipients int           `json:"min_recipients"`
	Seed          int64         `json:"seed"`
	Secret        string        `json:"-"` // signs click tokens; "" once the test ended
	SegmentSize   int           `json:"segment_size"`
	StartedAt     time.Time     `json:"started_at"`
	DecideAt      time.Time     `json:"decide_at"`
	DecidedAt     *time.Time    `json:"decided_at,omitempty"`
	Winner        string        `json:"winner"`
	How           string        `json:"how,omitempty"`
	DecidedBy     string        `json:"decided_by,omitempty"`
	Arms          []Arm         `json:"arms"`
}

// Arm is one variant's test share and the clicks it drew from it.
type Arm struct {
	Variant      string `json:"variant"` // "" the default
	Recipients   int    `json:"recipients"`
	Clicks       int64  `json:"clicks"`
	UniqueClicks int64  `json:"unique_clicks"`
}

// Arm returns the arm of variant, or nil.
func (e *Experiment) Arm(variant string) *Arm {
	for i := range e.Arms {
		if e.Arms[i].Variant == variant {
			return &e.Arms[i]
		}
	}
	return nil
}

const experimentCols = `id, item_id, version, target, brand_id, state, share, metric, wait_seconds, min_recipients, seed, secret,
	segment_size, started_at, decide_at, decided_at, winner, how, decided_by`

func scanExperiment(r rowScanner) (*Experiment, error) {
	e := &Experiment{}
	var wait int64
	var decided sql.NullTime
	err := r.Scan(&e.ID, &e.ItemID, &e.Version, &e.Target, &e.BrandID, &e.State, &e.Share, &e.Metric, &wait, &e.MinRecipients,
		&e.Seed, &e.Secret, &e.SegmentSize, &e.StartedAt, &e.DecideAt, &decided, &e.Winner, &e.How, &e.DecidedBy)
	if err != nil {
		return nil, err
	}
	e.Wait = time.Duration(wait) * time.Second
	e.WaitText = e.Wait.String()
	if decided.Valid {
		t := decided.Time
		e.DecidedAt = &t
	}
	return e, nil
}

func (s *DB) experiment(ctx context.Context, x execer, lock bool, itemID string, version int, target string) (*Experiment, error) {
	q := `SELECT ` + experimentCols + ` FROM experiments WHERE item_id = $1 AND version = $2 AND target = $3`
	if lock {
		q += s.forUpdate()
	}
	e, err := scanExperiment(s.queryRow(ctx, x, q, itemID, version, target))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("experiment of %q version %d to %s: %w", itemID, version, target, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return e, s.arms(ctx, x, e)
}

func (s *DB) arms(ctx context.Context, x execer, e *Experiment) error {
	rows, err := s.query(ctx, x, `SELECT variant, recipients, clicks, unique_clicks FROM experiment_arms WHERE experiment_id = $1 ORDER BY position`, e.ID)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	e.Arms = []Arm{}
	for rows.Next() {
		var a Arm
		if err := rows.Scan(&a.Variant, &a.Recipients, &a.Clicks, &a.UniqueClicks); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		e.Arms = append(e.Arms, a)
	}
	return rows.Err()
}

// Experiment returns the A/B test of an item version's email to target.
func (s *DB) Experiment(ctx context.Context, itemID string, version int, target string) (*Experiment, error) {
	return s.experiment(ctx, s.db, false, itemID, version, target)
}

// Experiments returns an item's A/B tests, newest version first.
func (s *DB) Experiments(ctx context.Context, itemID string) ([]Experiment, error) {
	rows, err := s.query(ctx, s.db, `SELECT `+experimentCols+` FROM experiments WHERE item_id = $1 ORDER BY version DESC, target`, itemID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var out []Experiment
	for rows.Next() {
		e, err := scanExperiment(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, *e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	for i := range out {
		if err := s.arms(ctx, s.db, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// DueExperiments returns running tests whose decision was due before the
// cut-off: their task may be lost.
// PostponeExperiment moves a running test's decision to at: the
// reconciler queues it then (DueExperiments).
func (s *DB) PostponeExperiment(ctx context.Context, id int64, at time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, `UPDATE experiments SET decide_at = $2 WHERE id = $1 AND state = 'running'`, id, at.UTC()); err != nil {
			return fmt.Errorf("store: postpone experiment: %w", err)
		}
		return nil
	})
}

func (s *DB) DueExperiments(ctx context.Context, before time.Time, limit int) ([]Experiment, error) {
	rows, err := s.query(ctx, s.db, `SELECT `+experimentCols+` FROM experiments WHERE state = 'running' AND decide_at < $1
		ORDER BY decide_at LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []Experiment
	for rows.Next() {
		e, err := scanExperiment(rows)
		if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

// StartExperimentRequest starts the A/B test of one email delivery.
type StartExperimentRequest struct {
	Delivery      *Delivery // the email delivery (variant "") to the brand's subscribers
	Segment       Segment
	Variants      []string // the email variants, "" (the default) first
	Share         int      // percent of the segment
	Metric        string
	Wait          time.Duration
	MinRecipients int
	Seed          int64
	Secret        string
	// Split deals the eligible addresses (sorted) out to the variants,
	// one list per variant in Variants' order, using Seed; it must give
	// the same answer every time it is called with the same list.
	Split func(addrs []string) [][]string
	// Deliver makes the task of one of the test's deliveries; Decide
	// makes the task that decides the test at DecideAt.
	Deliver func(d Delivery) (Task, error)
	Decide  func(e *Experiment) (Task, error)
}

// StartExperiment starts the test of r.Delivery in one transaction: it
// records the experiment and, when the segment reaches MinRecipients,
// one delivery per variant with its share of the segment as fixed
// recipients, holds r.Delivery (the winner's delivery replaces it), and
// plans the tasks. Below MinRecipients it records the test decided
// too_small and leaves r.Delivery to go to everyone. A test started
// already is returned as it is, with no tasks; so is nil when r.Delivery
// is no longer pending (it started sending before any test).
func (s *DB) StartExperiment(ctx context.Context, r StartExperimentRequest) (*Experiment, []Task, error) {
	var exp *Experiment
	var out []Task
	d0 := r.Delivery
	err := s.tx(ctx, func(tx *sql.Tx) error {
		exp, out = nil, nil
		var status string
		err := s.queryRow(ctx, tx, `SELECT status FROM deliveries WHERE id = $1`+s.forUpdate(), d0.ID).Scan(&status)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		e, err := s.experiment(ctx, tx, false, d0.ItemID, d0.Version, d0.Target)
		if err == nil {
			exp = e
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		if status != DelPending {
			return nil
		}
		addrs, err := s.eligible(ctx, tx, d0, r.Segment)
		if err != nil {
			return err
		}
		now := s.now()
		e = &Experiment{ItemID: d0.ItemID, Version: d0.Version, Target: d0.Target, BrandID: d0.BrandID, State: ExpRunning,
			Share: r.Share, Metric: r.Metric, Wait: r.Wait, MinRecipients: r.MinRecipients, Seed: r.Seed, Secret: r.Secret,
			SegmentSize: len(addrs), StartedAt: now, DecideAt: now.Add(r.Wait)}
		small := len(addrs) < r.MinRecipients
		if small {
			e.State, e.How, e.DecidedAt, e.DecidedBy, e.Secret = ExpDecided, HowTooSmall, &now, "worker", ""
		}
		err = s.queryRow(ctx, tx, `INSERT INTO experiments (item_id, version, target, brand_id, state, share, metric, wait_seconds, min_recipients,
			seed, secret, segment_size, started_at, decide_at, decided_at, how, decided_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
			e.ItemID, e.Version, e.Target, e.BrandID, e.State, e.Share, e.Metric, int64(r.Wait/time.Second), e.MinRecipients,
			e.Seed, e.Secret, e.SegmentSize, now, e.DecideAt, e.DecidedAt, e.How, e.DecidedBy).Scan(&e.ID)
		if err != nil {
			return fmt.Errorf("store: experiment: %w", err)
		}
		if small {
			exp = e
			e.Arms = []Arm{}
			return s.addEvent(ctx, tx, Event{Actor: "worker", Kind: "A/B test skipped", ItemID: e.ItemID, Version: e.Version,
				Detail: fmt.Sprintf("%s: %d recipients, below min_recipients %d; the default variant goes to all", e.Target, len(addrs), r.MinRecipients)})
		}
		groups := r.Split(addrs)
		if len(groups) != len(r.Variants) {
			return fmt.Errorf("store: experiment: split into %d groups for %d variants", len(groups), len(r.Variants))
		}
		for i, v := range r.Variants {
			d, err := s.insertDelivery(ctx, tx, d0, PhaseVariant(PhaseTest, v), now)
			if err != nil {
				return err
			}
			if err := s.insertRecipients(ctx, tx, d.ID, groups[i], now); err != nil {
				return err
			}
			if _, err := s.exec(ctx, tx, `INSERT INTO experiment_arms (experiment_id, variant, position, recipients) VALUES ($1, $2, $3, $4)`,
				e.ID, v, i, len(groups[i])); err != nil {
				return fmt.Errorf("store: experiment: %w", err)
			}
			e.Arms = append(e.Arms, Arm{Variant: v, Recipients: len(groups[i])})
			t, err := r.Deliver(*d)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		if _, err := s.exec(ctx, tx, `UPDATE deliveries SET status = $2, error = $3, updated_at = $4 WHERE id = $1`,
			d0.ID, DelHeld, "held for the A/B test: the winner's delivery sends to the rest", now); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		t, err := r.Decide(e)
		if err != nil {
			return err
		}
		out = append(out, t)
		if out, err = s.insertOutbox(ctx, tx, out, now); err != nil {
			return err
		}
		exp = e
		return s.addEvent(ctx, tx, Event{Actor: "worker", Kind: "A/B test started", ItemID: e.ItemID, Version: e.Version,
			Detail: fmt.Sprintf("%s: %d%% of %d recipients over %d variants, seed %d; decides at %s",
				e.Target, e.Share, len(addrs), len(r.Variants), e.Seed, e.DecideAt.Format(time.RFC3339))})
	})
	return exp, out, err
}

// eligible lists the addresses of seg that d's list would hold (see
// addSegment: reached, and on no other list of the publication or of a
// translation), sorted, so a seeded split of it is reproducible.
func (s *DB) eligible(ctx context.Context, tx *sql.Tx, d *Delivery, seg Segment) ([]string, error) {
	if s.dialect == postgres {
		var one int
		err := s.queryRow(ctx, tx, `SELECT 1 FROM publications WHERE item_id = $1 AND version = $2`+s.forUpdate(), d.ItemID, d.Version).Scan(&one)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("store: %w", err)
		}
	}
	a := sqlArgs{d.ID, d.ItemID, d.Version}
	q := `SELECT sb.address FROM subscribers sb WHERE ` + seg.reached(&a) + `
		AND NOT EXISTS (SELECT 1 FROM deliveries d2 JOIN delivery_recipients r2 ON r2.delivery_id = d2.id AND r2.address = sb.address
			WHERE d2.id <> $1 AND ((d2.item_id = $2 AND d2.version = $3) OR d2.item_id IN (SELECT i2.id FROM items i1
				JOIN items i2 ON i2.brand_id = i1.brand_id AND i2.content_id = i1.content_id AND i2.id <> i1.id WHERE i1.id = $2)))
		ORDER BY sb.address`
	rows, err := s.query(ctx, tx, q, a...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var addr string
		if err := rows.Scan(&addr); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, addr)
	}
	return out, rows.Err()
}

// insertDelivery adds a pending delivery like d0 with another variant.
func (s *DB) insertDelivery(ctx context.Context, tx *sql.Tx, d0 *Delivery, variant string, now time.Time) (*Delivery, error) {
	d := *d0
	d.Variant, d.Status, d.Attempts, d.Ended, d.Error, d.UpdatedAt = variant, DelPending, 0, 0, "", now
	d.Key = DeliveryKey(d.ItemID, d.Version, d.Channel, d.Target, variant)
	err := s.queryRow(ctx, tx, `INSERT INTO deliveries (idempotency_key, item_id, version, channel, target, kind, variant, brand_id, status, process_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10) RETURNING id`,
		d.Key, d.ItemID, d.Version, d.Channel, d.Target, d.Kind, d.Variant, d.BrandID, DelPending, now).Scan(&d.ID)
	if err != nil {
		return nil, fmt.Errorf("store: delivery %s: %w", d.Key, err)
	}
	return &d, nil
}

// insertRecipients puts addrs on delivery id's list, a few hundred rows
// a statement.
func (s *DB) insertRecipients(ctx context.Context, tx *sql.Tx, id int64, addrs []string, now time.Time) error {
	const batch = 200
	for len(addrs) > 0 {
		n := min(batch, len(addrs))
		a := sqlArgs{id, DelPending, now}
		vals := make([]string, n)
		for i, addr := range addrs[:n] {
			vals[i] = "($1, " + a.add(addr) + ", $2, $3)"
		}
		if _, err := s.exec(ctx, tx, `INSERT INTO delivery_recipients (delivery_id, address, status, updated_at) VALUES `+strings.Join(vals, ", "), a...); err != nil {
			return fmt.Errorf("store: recipients: %w", err)
		}
		addrs = addrs[n:]
	}
	return nil
}

// DecideExperimentRequest ends a running test.
type DecideExperimentRequest struct {
	ItemID  string
	Version int
	Target  string
	// Stop ends it with no winner: the held delivery is cancelled and
	// the rest of the segment is sent nothing.
	Stop bool
	// Winner is the editor's pick; "" with Pick set lets Pick choose
	// from the arms' totals (How auto).
	Winner string
	Pick   func(e *Experiment) string
	How    string
	Actor  string
	// Segment is who the winner goes to, less everyone on a list of the
	// publication already (the test share, a translation's).
	Segment Segment
	Deliver func(d Delivery) (Task, error)
}

// DecideExperiment ends a running test in one transaction: it records
// the winner (or the stop), cancels the held delivery, and for a winner
// adds its delivery with the rest of the segment as fixed recipients and
// its task. The click tokens' hashes and the secret are deleted; the
// totals stay. A test that is not running returns ErrConflict.
func (s *DB) DecideExperiment(ctx context.Context, r DecideExperimentRequest) (*Experiment, []Task, error) {
	var exp *Experiment
	var out []Task
	err := s.tx(ctx, func(tx *sql.Tx) error {
		exp, out = nil, nil
		e, err := s.experiment(ctx, tx, true, r.ItemID, r.Version, r.Target)
		if err != nil {
			return err
		}
		if e.State != ExpRunning {
			return fmt.Errorf("the A/B test of %q version %d is %s already: %w", r.ItemID, r.Version, e.State, ErrConflict)
		}
		winner := r.Winner
		if !r.Stop && r.Pick != nil && winner == "" {
			winner = r.Pick(e)
		}
		if !r.Stop && e.Arm(winner) == nil {
			return fmt.Errorf("the A/B test of %q has no variant %q: %w", r.ItemID, winner, ErrInvalid)
		}
		held, err := scanDelivery(s.queryRow(ctx, tx, `SELECT `+deliveryCols+` FROM deliveries WHERE idempotency_key = $1`+s.forUpdate(),
			DeliveryKey(e.ItemID, e.Version, "email", e.Target, "")))
		if err != nil {
			return fmt.Errorf("store: held delivery: %w", err)
		}
		now := s.now()
		e.DecidedAt, e.DecidedBy, e.How = &now, r.Actor, r.How
		detail := ""
		if r.Stop {
			e.State, e.How, e.Winner = ExpStopped, HowStopped, ""
			detail = e.Target + ": stopped; the rest of the segment is sent nothing"
		} else {
			e.State, e.Winner = ExpDecided, winner
			if held.Status == DelHeld {
				d, err := s.insertDelivery(ctx, tx, held, PhaseVariant(PhaseWinner, winner), now)
				if err != nil {
					return err
				}
				if err := s.addSegment(ctx, tx, d, r.Segment); err != nil {
					return err
				}
				t, err := r.Deliver(*d)
				if err != nil {
					return err
				}
				if out, err = s.insertOutbox(ctx, tx, []Task{t}, now); err != nil {
					return err
				}
			}
			name := winner
			if name == "" {
				name = "default"
			}
			detail = fmt.Sprintf("%s: %s won (%s)", e.Target, name, e.How)
		}
		if held.Status == DelHeld {
			if _, err := s.exec(ctx, tx, `UPDATE deliveries SET status = $2, error = $3, updated_at = $4 WHERE id = $1`,
				held.ID, DelCancelled, "replaced by the A/B test ("+e.State+")", now); err != nil {
				return fmt.Errorf("store: %w", err)
			}
		}
		if _, err := s.exec(ctx, tx, `UPDATE experiments SET state = $2, winner = $3, how = $4, decided_at = $5, decided_by = $6, secret = ''
			WHERE id = $1`, e.ID, e.State, e.Winner, e.How, now, e.DecidedBy); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if _, err := s.exec(ctx, tx, `DELETE FROM experiment_clickers WHERE experiment_id = $1`, e.ID); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		e.Secret = ""
		exp = e
		return s.addEvent(ctx, tx, Event{Actor: r.Actor, Kind: "A/B test " + e.State, ItemID: e.ItemID, Version: e.Version, Detail: detail})
	})
	return exp, out, err
}

// ClickExperiment is a running test a tracked link belongs to.
type ClickExperiment struct {
	ID      int64
	Variant string
	Secret  string
}

// LinkExperiments returns the running tests of the item version a
// tracked email link is of, with the link's variant.
func (s *DB) LinkExperiments(ctx context.Context, code string) ([]ClickExperiment, error) {
	rows, err := s.query(ctx, s.db, `SELECT e.id, l.variant, e.secret FROM links l
		JOIN experiments e ON e.item_id = l.item_id AND e.version = l.version
		WHERE l.code = $1 AND l.channel = 'email' AND e.state = 'running' ORDER BY e.id LIMIT 8`, code)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []ClickExperiment
	for rows.Next() {
		var c ClickExperiment
		if err := rows.Scan(&c.ID, &c.Variant, &c.Secret); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CountExperimentClick counts a click of a test recipient (by the hash
// of their click token) for a running test's variant: always as a
// click, and as a unique click the first time. It reports whether the
// click was unique.
func (s *DB) CountExperimentClick(ctx context.Context, id int64, variant, tokenHash string) (bool, error) {
	unique := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		unique = false
		var state string
		err := s.queryRow(ctx, tx, `SELECT state FROM experiments WHERE id = $1`+s.forUpdate(), id).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && state != ExpRunning) {
			return nil // ended meanwhile: its hashes are gone and stay gone
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		res, err := s.exec(ctx, tx, `INSERT INTO experiment_clickers (experiment_id, variant, token_hash) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			id, variant, tokenHash)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		n, _ := res.RowsAffected()
		unique = n == 1
		_, err = s.exec(ctx, tx, `UPDATE experiment_arms SET clicks = clicks + 1, unique_clicks = unique_clicks + $3
			WHERE experiment_id = $1 AND variant = $2`, id, variant, n)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
	return unique, err
}

// ExperimentClickers counts the click-token hashes a test keeps (none
// once it ended).
func (s *DB) ExperimentClickers(ctx context.Context, id int64) (int, error) {
	var n int
	if err := s.queryRow(ctx, s.db, `SELECT COUNT(*) FROM experiment_clickers WHERE experiment_id = $1`, id).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return n, nil
}
