// Package publish holds the Publisher of every target kind (the brand's
// static site, SMTP, Mastodon, Bluesky and Standard Webhooks), the
// registry that finds one by kind, the protocol clients they drive, the
// public webhook wire format, and the SSRF-guarded HTTP clients every
// outbound request goes through, shared per allow-list.
//
// Publishers know the targets' protocols and nothing of the store: the
// worker claims a delivery in the ledger, builds a Job from what the
// store holds, calls the kind's publisher and records what it says.
package publish
