// Package publish holds one publisher per target kind: the brand's static
// site, SMTP, Mastodon, Bluesky and Standard Webhooks, and the one HTTP
// client every outbound request goes through. Publishers know the
// targets' protocols and nothing of the store: the worker claims a
// delivery in the ledger, calls a publisher, and records what it says.
package publish
