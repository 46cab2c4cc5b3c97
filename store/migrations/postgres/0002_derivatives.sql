-- Resized images shared by every worker process: made once, by whichever
-- worker needs one first. Keyed by source hash, width and published name.
CREATE TABLE derivatives (
    key        TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    media_type TEXT NOT NULL,
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    sha256     TEXT NOT NULL REFERENCES assets (sha256),
    created_at TIMESTAMPTZ NOT NULL
);
