-- Sources (store/sources.go): one row per (brand, source) of brand.yaml's
-- sources:, the state of its polling kept so it survives restarts: the
-- last fetch and its outcome, the validators for a conditional request,
-- how many fetches in a row failed (the backoff), counts of the items it
-- made, the entries it last saw, and when it runs next (the reconciler re-enqueues overdue ones).
CREATE TABLE sources (
    brand_id      TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    status        TEXT NOT NULL DEFAULT 'new',
    error         TEXT NOT NULL DEFAULT '',
    note          TEXT NOT NULL DEFAULT '',
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    last_fetch    TIMESTAMPTZ,
    next_run      TIMESTAMPTZ NOT NULL,
    failures      INTEGER NOT NULL DEFAULT 0,
    fetches       INTEGER NOT NULL DEFAULT 0,
    items_created INTEGER NOT NULL DEFAULT 0,
    items_updated INTEGER NOT NULL DEFAULT 0,
    -- The content ids of the last fetch's entries, newest first (at most
    -- 1000), to tell an entry deleted from a feed from one that aged out.
    entries       TEXT NOT NULL DEFAULT '',
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (brand_id, source_id)
);
CREATE INDEX sources_next_run ON sources (next_run);
