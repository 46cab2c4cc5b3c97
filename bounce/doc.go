// Package bounce reads what comes back after email goes out: RFC 3464
// delivery status notifications, RFC 5965 (ARF) complaint reports, and
// the bounce and complaint webhooks of Amazon SES (through SNS),
// Postmark, SendGrid and Mailgun, each verified the way its provider
// signs it. Everything becomes an Event; a Recorder decides what to do
// with them, and Policy says when an address is suppressed.
//
// The package is pure apart from the HTTP handler and the SNS
// certificate fetch: it keeps no state beyond bounded caches and knows
// nothing of the store.
//
// VERP: every message can carry its own return path,
// bounce+<token>@<domain>, where the token is an HMAC-signed reference to
// the brand, the delivery and the recipient. A bounce that names a
// forwarded or rewritten address still maps back to the address the
// message was sent to.
package bounce
