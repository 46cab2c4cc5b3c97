package app

import "errors"

// permanentError marks a failure retrying cannot fix: the input is bad,
// or a renderer or target refused it for good. The worker tells its
// queue not to retry such a task.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

func permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err is a failure retrying cannot fix.
func IsPermanent(err error) bool {
	var pe permanentError
	return errors.As(err, &pe)
}
