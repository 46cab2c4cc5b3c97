-- Blobs by content: item assets, brand files and rendered files alike,
-- so an image used by many versions and renderings is kept once.
CREATE TABLE assets (
    sha256     TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    data       BLOB NOT NULL,
    created_at DATETIME NOT NULL
);

CREATE TABLE brands (
    id         TEXT PRIMARY KEY,
    hash       TEXT NOT NULL,
    name       TEXT NOT NULL,
    updated_at DATETIME NOT NULL
);

-- Every version of every brand kit stays, so a rendering can always be
-- reproduced from the brand it was made with.
CREATE TABLE brand_files (
    brand_id TEXT NOT NULL,
    hash     TEXT NOT NULL,
    name     TEXT NOT NULL,
    sha256   TEXT NOT NULL REFERENCES assets (sha256),
    PRIMARY KEY (brand_id, hash, name)
);

CREATE TABLE items (
    id             TEXT PRIMARY KEY,
    brand_id       TEXT NOT NULL,
    lang           TEXT NOT NULL,
    slug           TEXT NOT NULL,
    content_id     TEXT NOT NULL,
    title          TEXT NOT NULL,
    latest_version INTEGER NOT NULL,
    status         TEXT NOT NULL,
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL
);
CREATE INDEX items_brand ON items (brand_id, updated_at);
CREATE UNIQUE INDEX items_slug ON items (brand_id, lang, slug);

CREATE TABLE item_versions (
    item_id       TEXT NOT NULL REFERENCES items (id),
    version       INTEGER NOT NULL,
    path          TEXT NOT NULL,
    compat        TEXT NOT NULL,
    source        BLOB NOT NULL,
    source_sha256 TEXT NOT NULL,
    version_hash  TEXT NOT NULL,
    brand_hash    TEXT NOT NULL,
    status        TEXT NOT NULL,
    submitted_by  TEXT NOT NULL,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL,
    PRIMARY KEY (item_id, version)
);

CREATE TABLE version_assets (
    item_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    path    TEXT NOT NULL,
    sha256  TEXT NOT NULL REFERENCES assets (sha256),
    PRIMARY KEY (item_id, version, path),
    FOREIGN KEY (item_id, version) REFERENCES item_versions (item_id, version)
);

CREATE TABLE renderings (
    item_id     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    channel     TEXT NOT NULL,
    variant     TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL,
    brand_hash  TEXT NOT NULL,
    queue       TEXT NOT NULL,
    task_id     TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    enqueues    INTEGER NOT NULL DEFAULT 0,
    renders     INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    warnings    TEXT NOT NULL DEFAULT '[]',
    metrics     TEXT NOT NULL DEFAULT '{}',
    duration_ms BIGINT NOT NULL DEFAULT 0,
    started_at  DATETIME,
    finished_at DATETIME,
    updated_at  DATETIME NOT NULL,
    PRIMARY KEY (item_id, version, channel, variant),
    FOREIGN KEY (item_id, version) REFERENCES item_versions (item_id, version)
);
CREATE INDEX renderings_status ON renderings (status, updated_at);

CREATE TABLE rendering_files (
    item_id    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    channel    TEXT NOT NULL,
    variant    TEXT NOT NULL DEFAULT '',
    name       TEXT NOT NULL,
    media_type TEXT NOT NULL,
    sha256     TEXT NOT NULL REFERENCES assets (sha256),
    size       BIGINT NOT NULL,
    PRIMARY KEY (item_id, version, channel, variant, name)
);

-- Work committed but maybe not yet in Redis. A row leaves only once its
-- task is enqueued.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    task_type  TEXT NOT NULL,
    task_id    TEXT NOT NULL,
    queue      TEXT NOT NULL,
    payload    BLOB NOT NULL,
    process_at DATETIME,
    created_at DATETIME NOT NULL
);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    item_id         TEXT NOT NULL,
    version         INTEGER NOT NULL,
    channel         TEXT NOT NULL,
    target          TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    error           TEXT NOT NULL DEFAULT '',
    external_id     TEXT NOT NULL DEFAULT '',
    process_at      DATETIME,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX deliveries_status ON deliveries (status, updated_at);

CREATE TABLE events (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    at      DATETIME NOT NULL,
    actor   TEXT NOT NULL,
    kind    TEXT NOT NULL,
    item_id TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 0,
    detail  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_item ON events (item_id, id);

CREATE TABLE tokens (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   DATETIME NOT NULL,
    last_used_at DATETIME
);
