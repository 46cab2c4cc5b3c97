-- A brand's catalog index and feeds, rebuilt whenever one of its items
-- finishes rendering. wanted counts the changes asked for, built the
-- change the stored files reflect; wanted > built means a build is due.
CREATE TABLE brand_indexes (
    brand_id   TEXT PRIMARY KEY,
    wanted     INTEGER NOT NULL DEFAULT 0,
    built      INTEGER NOT NULL DEFAULT 0,
    builds     INTEGER NOT NULL DEFAULT 0,
    error      TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE index_files (
    brand_id   TEXT NOT NULL,
    name       TEXT NOT NULL,
    media_type TEXT NOT NULL,
    sha256     TEXT NOT NULL REFERENCES assets (sha256),
    size       BIGINT NOT NULL,
    PRIMARY KEY (brand_id, name)
);
