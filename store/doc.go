// Package store will persist items, versions, assets, renderings, the
// outbox and the delivery ledger in SQLite or PostgreSQL. Empty until the
// pipeline issue lands.
package store
