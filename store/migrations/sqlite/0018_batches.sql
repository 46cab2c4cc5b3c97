-- Recipient batches (store/batches.go): an email delivery's recipients,
-- fixed in delivery_recipients before planning, are split by address
-- into ranges [first_address, last_address], each sent by its own task
-- with its own ledger state, so many workers send one list at once. The
-- delivery is final when every batch is.
CREATE TABLE delivery_batches (
    delivery_id   BIGINT NOT NULL REFERENCES deliveries (id),
    batch         INTEGER NOT NULL,
    first_address TEXT NOT NULL,
    last_address  TEXT NOT NULL,
    size          INTEGER NOT NULL,
    status        TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    ended         INTEGER NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    updated_at    DATETIME NOT NULL,
    PRIMARY KEY (delivery_id, batch)
);
CREATE INDEX delivery_batches_status ON delivery_batches (status, updated_at);
