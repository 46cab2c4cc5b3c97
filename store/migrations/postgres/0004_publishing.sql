-- Publishing: an approved item version is a publication, scheduled for a
-- time; each (channel, target, variant) of it is one delivery in the
-- ledger. Email deliveries to many addresses keep one row per recipient,
-- so a crash leaves only the message in flight unknown.
CREATE TABLE publications (
    item_id     TEXT NOT NULL,
    version     INTEGER NOT NULL,
    brand_id    TEXT NOT NULL,
    status      TEXT NOT NULL,
    process_at  TIMESTAMPTZ NOT NULL,
    generation  INTEGER NOT NULL DEFAULT 1,
    approved_by TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (item_id, version)
);
CREATE INDEX publications_status ON publications (status, process_at);

ALTER TABLE deliveries ADD COLUMN brand_id TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN variant TEXT NOT NULL DEFAULT '';
ALTER TABLE deliveries ADD COLUMN external_url TEXT NOT NULL DEFAULT '';
CREATE INDEX deliveries_item ON deliveries (item_id, version);

CREATE TABLE delivery_recipients (
    delivery_id BIGINT NOT NULL REFERENCES deliveries (id),
    address     TEXT NOT NULL,
    status      TEXT NOT NULL,
    external_id TEXT NOT NULL DEFAULT '',
    error       TEXT NOT NULL DEFAULT '',
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (delivery_id, address)
);

-- A brand's newsletter subscribers; token is the secret in their
-- one-click unsubscribe link.
CREATE TABLE subscribers (
    brand_id   TEXT NOT NULL,
    address    TEXT NOT NULL,
    token      TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (brand_id, address)
);

-- Addresses never sent to again, whatever list they are on.
CREATE TABLE suppressions (
    brand_id   TEXT NOT NULL,
    address    TEXT NOT NULL,
    reason     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (brand_id, address)
);

-- Tracked links: /r/<code> redirects to url and counts the click. No
-- address or user agent is kept, only the count.
CREATE TABLE links (
    code       TEXT PRIMARY KEY,
    item_id    TEXT NOT NULL,
    version    INTEGER NOT NULL,
    channel    TEXT NOT NULL,
    variant    TEXT NOT NULL DEFAULT '',
    url        TEXT NOT NULL,
    clicks     BIGINT NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX links_item ON links (item_id);
