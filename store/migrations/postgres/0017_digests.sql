-- A digest run per (brand, digest, period): the period ends at the
-- scheduled run time, so a period is planned, gathered and stored once,
-- also across restarts. status: planned (its digest:run task is due at
-- period_end), skipped (nothing new), rendered (its item, item_id at
-- version, holds the digest and publishes like any item). entries lists
-- the item versions it shows, lead first, as JSON.
CREATE TABLE digests (
    brand_id     TEXT NOT NULL,
    digest_id    TEXT NOT NULL,
    period_start TIMESTAMPTZ NOT NULL,
    period_end   TIMESTAMPTZ NOT NULL,
    status       TEXT NOT NULL,
    item_id      TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 0,
    entries      TEXT NOT NULL DEFAULT '[]',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (brand_id, digest_id, period_end)
);
CREATE INDEX digests_item ON digests (item_id);
CREATE INDEX digests_status ON digests (status, period_end);
