// Package publish will hold one publisher per target kind: static files,
// SMTP, Mastodon, Bluesky and Standard Webhooks. Empty until the
// publishers issue lands.
package publish
