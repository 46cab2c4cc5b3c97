-- Clicks over time (store/clicks.go). Every /r/<code> click adds one to
-- its link's row for the day, in the redirect's own statement, so the
-- Analytics pages read at most links × days rollup rows however many
-- clicks there were. Nothing about the reader is kept: no address,
-- cookie or agent.
--
-- brand_id on links is the item's brand when the link was made; dest is
-- where the link leads ('portal', 'catalog', 'web': off the brand's
-- site), so (channel, dest) is an edge of the channel paths.
ALTER TABLE links ADD COLUMN brand_id TEXT NOT NULL DEFAULT '';
ALTER TABLE links ADD COLUMN dest TEXT NOT NULL DEFAULT '';
UPDATE links SET brand_id = COALESCE((SELECT brand_id FROM items WHERE items.id = links.item_id), '');

-- day is Unix time / 86400 (the UTC day), the same integer on both back
-- ends. The link's item, channel, variant and dest are copied in so a
-- brand's report is one range of the primary key, which SQLite keeps
-- the rows in (WITHOUT ROWID); an item's is one index range.
CREATE TABLE click_days (
    brand_id TEXT NOT NULL,
    day      BIGINT NOT NULL,
    code     TEXT NOT NULL,
    item_id  TEXT NOT NULL,
    channel  TEXT NOT NULL,
    variant  TEXT NOT NULL,
    dest     TEXT NOT NULL,
    clicks   BIGINT NOT NULL,
    PRIMARY KEY (brand_id, day, code)
) WITHOUT ROWID;
CREATE INDEX click_days_item ON click_days (item_id, day);

-- The click's own UPDATE of links.clicks adds it to the day's row, so a
-- click is one statement however it is rolled up. The day is the
-- database's UTC clock.
CREATE TRIGGER links_click_days AFTER UPDATE OF clicks ON links WHEN NEW.clicks > OLD.clicks BEGIN
    INSERT INTO click_days (brand_id, day, code, item_id, channel, variant, dest, clicks)
    VALUES (NEW.brand_id, CAST(strftime('%s', 'now') AS INTEGER) / 86400, NEW.code, NEW.item_id, NEW.channel, NEW.variant, NEW.dest, NEW.clicks - OLD.clicks)
    ON CONFLICT (brand_id, day, code) DO UPDATE SET clicks = clicks + excluded.clicks;
END;
