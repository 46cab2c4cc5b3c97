package app

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"time"

	"github.com/crosscast/crosscast/content"
	"github.com/crosscast/crosscast/publish"
	"github.com/crosscast/crosscast/store"
	"github.com/crosscast/crosscast/tasks"
)

// An email A/B test (email.variants with email.test) runs inside the
// email delivery to the brand's subscribers. When that delivery is first
// run, startTest deals the test share of its segment out to one delivery
// per variant (each with its recipients fixed in the ledger) and holds
// the delivery itself; after the wait, DecideExperiment sends the winner
// to the rest of the segment as one more delivery. Every send is a
// ledger delivery with fixed recipients, so the ledger's rules (claim
// each recipient before sending, finish after) cover a crash anywhere.

// SplitRecipients deals the share (percent) of addrs out to arms
// variants, evenly and at random: a seeded shuffle, then the first
// share of it round-robin, so the groups differ by at most one and the
// same seed and list give the same groups.
func SplitRecipients(seed int64, share, arms int, addrs []string) [][]string {
	out := make([][]string, arms)
	if arms <= 0 {
		return out
	}
	shuffled := slices.Clone(addrs)
	rng := mrand.New(mrand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	n := (len(shuffled)*share + 50) / 100
	for i, a := range shuffled[:n] {
		out[i%arms] = append(out[i%arms], a)
	}
	return out
}

// PickWinner returns the variant with the most of the test's metric; the
// default ("") on a tie for first place or when nobody clicked, else the
// first listed of those tied.
func PickWinner(e *store.Experiment) string {
	score := func(a store.Arm) int64 {
		if e.Metric == content.MetricUniqueClicks {
			return a.UniqueClicks
		}
		return a.Clicks
	}
	var best int64
	var def int64
	winner := ""
	for _, a := range e.Arms {
		if a.Variant == "" {
			def = score(a)
		}
	}
	best = def
	for _, a := range e.Arms {
		if a.Variant != "" && score(a) > best {
			best, winner = score(a), a.Variant
		}
	}
	return winner
}

// startTest starts the A/B test of an email delivery to the brand's
// subscribers when its item asks for one and none has started: see
// store.StartExperiment. The delivery is then held (or, for a segment
// too small, left to send the default to all), which its claim sees.
func (s *Service) startTest(ctx context.Context, key string) error {
	d, err := s.db.Delivery(ctx, key)
	if err != nil {
		return err
	}
	if d.Channel != content.ChanEmail || d.Variant != "" || d.Kind != content.TargetSMTP || d.Status != store.DelPending {
		return nil
	}
	v, err := s.db.Version(ctx, d.ItemID, d.Version)
	if err != nil {
		return err
	}
	brand, err := s.brands.Load(ctx, v.Brand, v.BrandHash)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(brand.Targets(), func(t content.Target) bool { return t.ID == d.Target })
	if i < 0 || brand.Targets()[i].To != content.ToSubscribers {
		return nil
	}
	it, err := s.loadItem(ctx, v, brand)
	if err != nil {
		return permanentIf(err)
	}
	plan, ok := it.TestPlan(brand)
	if !ok {
		return nil
	}
	seg, _, err := s.segment(ctx, brand, d.ItemID, it)
	if err != nil {
		return err
	}
	variants := []string{""}
	for _, ev := range it.Email.Variants {
		variants = append(variants, ev.Name)
	}
	var rnd [40]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return err
	}
	seed := int64(binary.BigEndian.Uint64(rnd[:8]) >> 1) // positive: shown and typed back as a plain number
	e, outbox, err := s.db.StartExperiment(ctx, store.StartExperimentRequest{
		Delivery: d, Segment: seg, Variants: variants,
		Share: plan.Share, Metric: plan.Metric, Wait: plan.Wait, MinRecipients: plan.MinRecipients,
		Seed: seed, Secret: hex.EncodeToString(rnd[8:]),
		Split: func(addrs []string) [][]string { return SplitRecipients(seed, plan.Share, len(variants), addrs) },
		Deliver: func(d store.Delivery) (store.Task, error) {
			return tasks.NewDeliverTask(d.Kind, tasks.DeliverPayload{Key: d.Key})
		},
		Decide: func(e *store.Experiment) (store.Task, error) {
			return tasks.NewExperimentDecideTask(tasks.ExperimentDecidePayload{ItemID: e.ItemID, Version: e.Version, Target: e.Target}, e.DecideAt)
		},
	})
	if err != nil {
		return err
	}
	if e != nil && e.Seed == seed { // this call started it
		s.log.Info("A/B test started", "item", e.ItemID, "version", e.Version, "target", e.Target, "seed", e.Seed, "state", e.State, "how", e.How)
		if e.How == store.HowTooSmall {
			s.metrics.testOutcome(e)
		}
	}
	if err := s.Dispatch(ctx, outbox); err != nil {
		s.log.Warn("enqueue A/B test tasks failed; the reconciler will retry", "err", err)
	}
	return nil
}

// DecideExperiment ends a running A/B test after its wait: the winner by
// its metric goes to the rest of the segment. A test decided or stopped
// already (an editor was first) is left as it is.
func (s *Service) DecideExperiment(ctx context.Context, p tasks.ExperimentDecidePayload) error {
	e, err := s.db.Experiment(ctx, p.ItemID, p.Version, p.Target)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if e.State != store.ExpRunning {
		return nil
	}
	if later, err := s.testStillSending(ctx, e); err != nil || !later.IsZero() {
		return err
	}
	_, err = s.endTest(ctx, e, store.DecideExperimentRequest{Pick: PickWinner, How: store.HowAuto, Actor: "worker"})
	if errors.Is(err, store.ErrConflict) {
		return nil // an editor decided it meanwhile
	}
	return err
}

// testCheckEvery is how often a decision waiting for its test emails to
// go out looks again.
const testCheckEvery = 5 * time.Minute

// testStillSending postpones a test's decision while its test emails
// are still going out (a sending window not yet open, a slow relay, a
// rate that spreads a large share over hours), and then until the wait
// has passed since the last of them went out: a winner picked before the
// test share could read its email is no winner. It returns when the
// decision is due again, or zero when it is due now.
func (s *Service) testStillSending(ctx context.Context, e *store.Experiment) (time.Time, error) {
	ds, err := s.db.Deliveries(ctx, e.ItemID, e.Version)
	if err != nil {
		return time.Time{}, err
	}
	now := s.now()
	var at, lastSent time.Time
	for _, d := range ds {
		if phase, _, _ := store.SplitPhase(d.Variant); d.Target != e.Target || phase != store.PhaseTest {
			continue
		}
		switch d.Status {
		case store.DelPending, store.DelSending:
			at = later(e.DecideAt, now.Add(min(e.Wait, testCheckEvery)))
		default:
			lastSent = later(lastSent, d.UpdatedAt)
		}
	}
	// A decision held back for its test emails then gives the last of
	// them the whole wait.
	postponed := e.DecideAt.After(e.StartedAt.Add(e.Wait).Add(time.Second))
	if at.IsZero() && postponed && lastSent.Add(e.Wait).After(now.Add(time.Second)) {
		at = lastSent.Add(e.Wait)
	}
	if at.IsZero() {
		return at, nil
	}
	s.log.Info("A/B test decision postponed: its test emails are still going out", "item", e.ItemID, "target", e.Target, "until", at)
	return at, s.db.PostponeExperiment(ctx, e.ID, at)
}

// PickExperimentWinner is an editor's early pick of a running test's
// winner (variant "" is the default), which is then sent to the rest.
func (s *Service) PickExperimentWinner(ctx context.Context, itemID string, version int, target, variant, actor string) (*store.Experiment, error) {
	e, err := s.runningTest(ctx, itemID, version, target)
	if err != nil {
		return nil, err
	}
	if e.Arm(variant) == nil {
		return nil, fmt.Errorf("the A/B test has no variant %q: %w", variant, store.ErrInvalid)
	}
	return s.endTest(ctx, e, store.DecideExperimentRequest{Winner: variant, How: store.HowEditor, Actor: actor})
}

// StopExperiment ends a running test without a winner: the test share
// keeps what it was sent, and the rest of the segment is sent nothing
// (the held delivery is cancelled). Stopping cannot be undone.
func (s *Service) StopExperiment(ctx context.Context, itemID string, version int, target, actor string) (*store.Experiment, error) {
	e, err := s.runningTest(ctx, itemID, version, target)
	if err != nil {
		return nil, err
	}
	return s.endTest(ctx, e, store.DecideExperimentRequest{Stop: true, How: store.HowStopped, Actor: actor})
}

// runningTest finds the test of an item version (0: the latest) to
// target ("": its only one).
func (s *Service) runningTest(ctx context.Context, itemID string, version int, target string) (*store.Experiment, error) {
	es, err := s.db.Experiments(ctx, itemID)
	if err != nil {
		return nil, err
	}
	for i := range es {
		e := &es[i]
		if (version == 0 || e.Version == version) && (target == "" || e.Target == target) && e.State == store.ExpRunning {
			return e, nil
		}
	}
	return nil, fmt.Errorf("item %q has no A/B test running: %w", itemID, store.ErrConflict)
}

// endTest decides or stops e and dispatches the winner's delivery.
func (s *Service) endTest(ctx context.Context, e *store.Experiment, r store.DecideExperimentRequest) (*store.Experiment, error) {
	v, err := s.db.Version(ctx, e.ItemID, e.Version)
	if err != nil {
		return nil, err
	}
	brand, err := s.brands.Load(ctx, v.Brand, v.BrandHash)
	if err != nil {
		return nil, err
	}
	it, err := s.loadItem(ctx, v, brand)
	if err != nil {
		return nil, permanentIf(err)
	}
	// The segment as it is now: whoever left or was suppressed since the
	// test started is not sent the winner.
	if r.Segment, _, err = s.segment(ctx, brand, e.ItemID, it); err != nil {
		return nil, err
	}
	r.ItemID, r.Version, r.Target = e.ItemID, e.Version, e.Target
	r.Deliver = func(d store.Delivery) (store.Task, error) {
		return tasks.NewDeliverTask(d.Kind, tasks.DeliverPayload{Key: d.Key})
	}
	out, outbox, err := s.db.DecideExperiment(ctx, r)
	if err != nil {
		return nil, err
	}
	s.metrics.testOutcome(out)
	s.log.Info("A/B test ended", "item", out.ItemID, "version", out.Version, "target", out.Target, "state", out.State, "winner", out.Winner, "how", out.How)
	if r.How != store.HowAuto {
		s.deleteTask(ctx, tasks.ExperimentDecideTaskID(e.ItemID, e.Version, e.Target))
	}
	if err := s.Dispatch(ctx, outbox); err != nil {
		s.log.Warn("enqueue the winner's delivery failed; the reconciler will retry", "err", err)
	}
	return out, nil
}

// reconcileExperiments enqueues again the decision of every test past
// its time whose task Redis no longer has.
func (s *Service) reconcileExperiments(ctx context.Context, cut time.Time) (int, error) {
	es, err := s.db.DueExperiments(ctx, cut, 1000)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range es {
		t, err := tasks.NewExperimentDecideTask(tasks.ExperimentDecidePayload{ItemID: e.ItemID, Version: e.Version, Target: e.Target}, time.Time{})
		if err != nil {
			return n, err
		}
		info, err := s.queue.Task(ctx, tasks.QueueDefault, t.ID)
		if err != nil {
			return n, err
		}
		if info.State != TaskGone {
			continue
		}
		if err := s.queue.Enqueue(ctx, t); err != nil {
			return n, err
		}
		n++
	}
	if n > 0 {
		s.metrics.reenqueues.WithLabelValues("experiment").Add(float64(n))
	}
	return n, nil
}

// Click tokens. A test recipient's tracked links carry a token made with
// the test's secret: an id derived from the address, and a MAC of the id,
// so a forged token is refused before anything is stored. The store
// keeps only a hash of the id, and only while the test runs; once the
// secret is blanked nothing ties a token to an address.
const (
	tokenIDLen  = 9
	tokenMACLen = 9
	tokenLen    = (tokenIDLen + tokenMACLen) * 4 / 3 // base64url, no padding
)

func tokenMAC(secret, what string, data []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(what))
	m.Write([]byte{0})
	m.Write(data)
	return m.Sum(nil)
}

// clickToken is the token of address in the test with secret.
func clickToken(secret, address string) string {
	id := tokenMAC(secret, "id", []byte(address))[:tokenIDLen]
	tok := append(id, tokenMAC(secret, "mac", id)[:tokenMACLen]...)
	return base64.RawURLEncoding.EncodeToString(tok)
}

// tokenHash checks a click token against secret and returns the hash the
// store keeps of it, or false for a token the test did not make.
func tokenHash(secret, tok string) (string, bool) {
	if secret == "" || len(tok) != tokenLen {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != tokenIDLen+tokenMACLen {
		return "", false
	}
	id := b[:tokenIDLen]
	if !hmac.Equal(b[tokenIDLen:], tokenMAC(secret, "mac", id)[:tokenMACLen]) {
		return "", false
	}
	sum := sha256.Sum256(id)
	return hex.EncodeToString(sum[:16]), true
}

// ExperimentClick counts a tracked email link's click for the A/B test
// it belongs to, when it carries a valid click token (tok, the t query
// parameter of /r/<code>). A click with no or a bad token, or on a link
// of no running test, counts for nothing here.
func (s *Service) ExperimentClick(ctx context.Context, code, tok string) error {
	if tok == "" || len(tok) != tokenLen {
		return nil
	}
	es, err := s.db.LinkExperiments(ctx, code)
	if err != nil {
		return err
	}
	for _, e := range es {
		if h, ok := tokenHash(e.Secret, tok); ok {
			_, err := s.db.CountExperimentClick(ctx, e.ID, e.Variant, h)
			return err
		}
	}
	return nil
}

// testRecipientLinks returns the Job's PerRecipient for a test delivery
// of a running experiment: each recipient's tracked links carry their
// click token. nil when the test has ended (a retry after the decision)
// or links are not tracked.
func (s *Service) testRecipientLinks(ctx context.Context, d *store.Delivery) (*publish.LinkQuery, error) {
	if s.publicURL == "" {
		return nil, nil
	}
	e, err := s.db.Experiment(ctx, d.ItemID, d.Version, d.Target)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil || e.State != store.ExpRunning || e.Secret == "" {
		return nil, err
	}
	secret := e.Secret
	return &publish.LinkQuery{Prefix: s.publicURL + "/r/", For: func(addr string) string {
		return "?t=" + clickToken(secret, addr)
	}}, nil
}
