-- Clicks over time (store/clicks.go). Every /r/<code> click adds one to
-- its link's row for the hour, in the redirect's own transaction, so the
-- Analytics pages read a few thousand rollup rows instead of one row per
-- click. Nothing about the reader is kept: no address, cookie or agent.
--
-- brand_id on links is the item's brand when the link was made; dest is
-- where the link leads ('portal', 'catalog', 'web': off the brand's
-- site), so (channel, dest) is an edge of the channel paths.
ALTER TABLE links ADD COLUMN brand_id TEXT NOT NULL DEFAULT '';
ALTER TABLE links ADD COLUMN dest TEXT NOT NULL DEFAULT '';
UPDATE links SET brand_id = COALESCE((SELECT brand_id FROM items WHERE items.id = links.item_id), '');

-- hour is Unix time / 3600 (UTC), the same integer on both back ends.
-- The link's brand, item, channel, variant and dest are copied in so
-- each page query is one index range over (brand_id | item_id, hour).
CREATE TABLE click_hours (
    code     TEXT NOT NULL,
    hour     BIGINT NOT NULL,
    brand_id TEXT NOT NULL,
    item_id  TEXT NOT NULL,
    channel  TEXT NOT NULL,
    variant  TEXT NOT NULL,
    dest     TEXT NOT NULL,
    clicks   BIGINT NOT NULL,
    PRIMARY KEY (code, hour)
);
CREATE INDEX click_hours_brand ON click_hours (brand_id, hour);
CREATE INDEX click_hours_item ON click_hours (item_id, hour);
