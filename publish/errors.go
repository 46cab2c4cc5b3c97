package publish

import (
	"errors"
	"fmt"
	"net/http"
)

// ErrPermanent marks a failure that retrying cannot fix: the target
// refused the request for good (bad credentials, a rejected address, a
// 4xx answer). Anything else is worth retrying with the same key.
var ErrPermanent = errors.New("permanent failure")

// ErrAmbiguous marks a send whose outcome cannot be known: the message
// was handed over and the answer was lost. It must not be retried blindly.
var ErrAmbiguous = errors.New("outcome unknown")

// permanent wraps err as permanent.
func permanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }

// IsPermanent reports whether err is a permanent failure.
func IsPermanent(err error) bool { return errors.Is(err, ErrPermanent) }

// StatusError is a target's unexpected HTTP answer.
type StatusError struct {
	Op     string
	Status int
	Body   string // the start of the answer, for the editor
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s: HTTP %d %s", e.Op, e.Status, http.StatusText(e.Status))
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// statusError classifies an HTTP answer: 4xx are permanent except those
// that ask to come back later (408, 425, 429); 5xx are temporary.
func statusError(op string, status int, body []byte) error {
	if len(body) > 300 {
		body = body[:300]
	}
	err := &StatusError{Op: op, Status: status, Body: string(body)}
	if status >= 400 && status < 500 && status != http.StatusRequestTimeout && status != http.StatusTooEarly && status != http.StatusTooManyRequests {
		return permanent(err)
	}
	return err
}

// ErrPermanentf makes a permanent error from a message.
func ErrPermanentf(format string, args ...any) error {
	return permanent(fmt.Errorf(format, args...))
}
