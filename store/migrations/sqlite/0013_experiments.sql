-- Email A/B tests (store/experiments.go). One experiment per email
-- delivery to a brand's subscribers (item, version, target): its test
-- share went to one delivery per variant (variant 'test' or 'test:<name>'),
-- the rest to one winner delivery ('winner' or 'winner:<name>'), all in
-- the ledger like any other delivery. seed reproduces the split; secret
-- signs the per-recipient click tokens and is blanked when the test ends.
CREATE TABLE experiments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id        TEXT NOT NULL,
    version        INTEGER NOT NULL,
    target         TEXT NOT NULL,
    brand_id       TEXT NOT NULL,
    state          TEXT NOT NULL,
    share          INTEGER NOT NULL,
    metric         TEXT NOT NULL,
    wait_seconds   BIGINT NOT NULL,
    min_recipients INTEGER NOT NULL,
    seed           BIGINT NOT NULL,
    secret         TEXT NOT NULL DEFAULT '',
    segment_size   INTEGER NOT NULL,
    started_at     DATETIME NOT NULL,
    decide_at      DATETIME NOT NULL,
    decided_at     DATETIME,
    winner         TEXT NOT NULL DEFAULT '',
    how            TEXT NOT NULL DEFAULT '',
    decided_by     TEXT NOT NULL DEFAULT '',
    UNIQUE (item_id, version, target)
);
CREATE INDEX experiments_due ON experiments (state, decide_at);

-- Each variant's test recipients and the totals of its clicks from them;
-- the totals stay when the test ends.
CREATE TABLE experiment_arms (
    experiment_id BIGINT NOT NULL REFERENCES experiments (id),
    variant       TEXT NOT NULL,
    position      INTEGER NOT NULL,
    recipients    INTEGER NOT NULL,
    clicks        BIGINT NOT NULL DEFAULT 0,
    unique_clicks BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (experiment_id, variant)
);

-- Who clicked, only to count each recipient once while the test runs: a
-- hash of the recipient's click token, which cannot be traced to an
-- address without the experiment's secret. Deleted with the secret when
-- the test ends.
CREATE TABLE experiment_clickers (
    experiment_id BIGINT NOT NULL REFERENCES experiments (id),
    variant       TEXT NOT NULL,
    token_hash    TEXT NOT NULL,
    PRIMARY KEY (experiment_id, variant, token_hash)
);
