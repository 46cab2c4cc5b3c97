-- Soft bounces (store/bounces.go): one row per (brand, address, event),
-- kept only while the bounce policy's window counts it. event_key names
-- the event (provider and bounced message), so a report seen twice counts
-- once.
CREATE TABLE soft_bounces (
    brand_id  TEXT NOT NULL,
    address   TEXT NOT NULL,
    event_key TEXT NOT NULL,
    at        DATETIME NOT NULL,
    PRIMARY KEY (brand_id, address, event_key)
);
CREATE INDEX soft_bounces_at ON soft_bounces (at);
-- Bounces map back to the deliveries that sent to an address.
CREATE INDEX delivery_recipients_address ON delivery_recipients (address);
-- ESP events that name no brand find the address's brands.
CREATE INDEX subscribers_address ON subscribers (address);
