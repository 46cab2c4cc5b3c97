package bounce

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Recorder acts on events: the application suppresses addresses and
// writes consent records. Events come verified and resolved.
type Recorder interface {
	Record(ctx context.Context, events []Event) error
}

// LogRecorder logs each event and keeps nothing: the recorder to run
// with until the subscriber store takes events.
type LogRecorder struct{ Logger *slog.Logger }

// Record logs the events.
func (l LogRecorder) Record(ctx context.Context, events []Event) error {
	log := l.Logger
	if log == nil {
		log = slog.Default()
	}
	for _, e := range events {
		attrs := []any{"kind", e.Kind, "address", e.Address(), "provider", e.Provider, "status", e.Status,
			"message_id", e.MessageID, "brand", e.Brand}
		if e.Ref != nil {
			attrs = append(attrs, "delivery", e.Ref.Delivery)
		}
		log.InfoContext(ctx, "bounce", attrs...)
	}
	return nil
}

// Config configures the handler. A provider left nil is not served.
type Config struct {
	Recorder Recorder
	// Keys returns a brand's VERP keys, current first (see Open).
	Keys func(brand string) [][]byte
	// PipeSecret is the bearer token a mail server sends with a raw
	// message to POST /bounces/pipe; "" turns the endpoint off.
	PipeSecret string
	// AcceptUnsigned records reports from mail (pipe, mailbox) that
	// carry no verified VERP token, for a return path without VERP. Off,
	// only reports that prove which message they are about count.
	AcceptUnsigned bool
	SES            *SNS
	Postmark       *Postmark
	SendGrid       *SendGrid
	Mailgun        *Mailgun
	// Limits bound a piped message; MaxSize also bounds webhook bodies
	// (default 4 MiB).
	Limits Limits
	// Timeout bounds the handling of one request, the recorder's work
	// included; 0: 30 s.
	Timeout time.Duration
	Logger  *slog.Logger
}

// Handler serves POST /bounces/{provider} (ses, postmark, sendgrid,
// mailgun) and POST /bounces/pipe. A request whose signature or
// credentials do not verify gets 401 and records nothing; a recorder
// failure gets 500, so the provider sends it again.
func Handler(c Config) http.Handler {
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Limits = c.Limits.withDefaults()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /bounces/{provider}", c.serve)
	return mux
}

type result struct {
	Events  int    `json:"events"`
	Ignored string `json:"ignored,omitempty"`
}

func (c *Config) serve(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), c.Timeout)
	defer cancel()
	provider := r.PathValue("provider")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, int64(c.Limits.MaxSize)))
	if err != nil {
		c.fail(w, r, provider, fmt.Errorf("%w: %v", ErrTooLarge, err))
		return
	}
	var evs []Event
	switch {
	case provider == "pipe" && c.PipeSecret != "":
		n, err := c.pipe(ctx, r, body)
		switch {
		case errors.Is(err, ErrNotReport):
			// Not ours to read (an auto-reply): taken, so the mail
			// server does not try it again.
			writeJSON(w, http.StatusOK, result{Ignored: "not a delivery status or feedback report"})
		case errors.Is(err, errRecord):
			c.Logger.ErrorContext(ctx, "bounce: recording events", "provider", provider, "err", err)
			http.Error(w, "could not record the events; send them again", http.StatusInternalServerError)
		case err != nil:
			c.fail(w, r, provider, err)
		default:
			writeJSON(w, http.StatusOK, result{Events: n})
		}
		return
	case provider == ProviderSES && c.SES != nil:
		evs, err = c.SES.Parse(ctx, body)
	case provider == ProviderPostmark && c.Postmark != nil:
		if err = c.Postmark.verify(r); err == nil {
			evs, err = c.Postmark.parse(body)
		}
	case provider == ProviderSendGrid && c.SendGrid != nil:
		if err = c.SendGrid.verify(r, body); err == nil {
			evs, err = c.SendGrid.parse(body)
		}
	case provider == ProviderMailgun && c.Mailgun != nil:
		evs, err = c.Mailgun.parse(body)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		c.fail(w, r, provider, err)
		return
	}
	evs = stamp(Resolve(evs, c.Keys), time.Now())
	if len(evs) > 0 {
		if err := c.Recorder.Record(ctx, evs); err != nil {
			c.Logger.ErrorContext(ctx, "bounce: recording events", "provider", provider, "events", len(evs), "err", err)
			http.Error(w, "could not record the events; send them again", http.StatusInternalServerError)
			return
		}
	}
	writeJSON(w, http.StatusOK, result{Events: len(evs)})
}

// pipe reads a raw message a mail server hands over, after checking
// its secret. X-Envelope-To (or ?to=) is the address the server
// received it for: the VERP address, when the report itself lost it.
func (c *Config) pipe(ctx context.Context, r *http.Request, body []byte) (int, error) {
	auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !equal(auth, c.PipeSecret) {
		return 0, fmt.Errorf("%w: pipe secret", ErrSignature)
	}
	to := r.Header.Get("X-Envelope-To")
	if to == "" {
		to = r.URL.Query().Get("to")
	}
	return c.Ingest(ctx, body, to)
}

// parseRaw reads a raw message; envelopeTo, the address a mail server
// received it for, gives the events a token when the report lost it.
func parseRaw(ctx context.Context, raw []byte, envelopeTo string, lim Limits) ([]Event, error) {
	evs, err := ParseMessage(ctx, raw, lim)
	if err != nil {
		return nil, err
	}
	if tok := TokenFromAddress(envelopeTo); tok != "" {
		for i := range evs {
			if evs[i].Token == "" {
				evs[i].Token = tok
			}
		}
	}
	return evs, nil
}

// Ingest reads one raw message (piped in, or from a mailbox), verifies
// its tokens and records its events; it returns how many it recorded. A
// message that is no report gives ErrNotReport and records nothing.
// Without AcceptUnsigned, events with no verified token are dropped:
// anyone can mail a bounce address, and a made-up report must not
// suppress an address of its choosing.
func (c *Config) Ingest(ctx context.Context, raw []byte, envelopeTo string) (int, error) {
	evs, err := parseRaw(ctx, raw, envelopeTo, c.Limits.withDefaults())
	if err != nil {
		return 0, err
	}
	evs = stamp(Resolve(evs, c.Keys), time.Now())
	if !c.AcceptUnsigned {
		kept := evs[:0]
		for _, e := range evs {
			if e.Ref != nil {
				kept = append(kept, e)
			} else if c.Logger != nil {
				c.Logger.WarnContext(ctx, "bounce: report without a valid VERP token ignored", "kind", e.Kind, "recipient", e.Recipient, "provider", e.Provider)
			}
		}
		evs = kept
	}
	if len(evs) == 0 {
		return 0, nil
	}
	if err := c.Recorder.Record(ctx, evs); err != nil {
		return 0, fmt.Errorf("%w: %d events: %w", errRecord, len(evs), err)
	}
	return len(evs), nil
}

var errRecord = errors.New("bounce: recording")

// stamp gives events without a time the time they arrived: counting
// soft bounces within a window needs one.
func stamp(evs []Event, now time.Time) []Event {
	for i := range evs {
		if evs[i].At.IsZero() {
			evs[i].At = now.UTC()
		}
	}
	return evs
}

func (c *Config) fail(w http.ResponseWriter, r *http.Request, provider string, err error) {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, ErrSignature):
		status = http.StatusUnauthorized
	case errors.Is(err, ErrTooLarge):
		status = http.StatusRequestEntityTooLarge
	case errors.Is(err, context.DeadlineExceeded):
		status = http.StatusServiceUnavailable
	case !errors.Is(err, ErrMalformed):
		// A certificate that could not be fetched, a confirmation that
		// failed: worth the provider's retry.
		status = http.StatusBadGateway
	}
	c.Logger.WarnContext(r.Context(), "bounce: request refused", "provider", provider, "status", status, "err", err)
	// The reason stays in the log: a caller probing signatures learns
	// nothing from the answer.
	http.Error(w, http.StatusText(status), status)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
