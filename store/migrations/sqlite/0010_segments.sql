-- Sending to a segment (store/segments.go). A subscriber's topics stay in
-- subscribers.topics (sorted keys separated by spaces), and each is also
-- a row here with the subscriber's status, language and pause, so
-- counting who of a language chose a topic is a range scan of this
-- table's key instead of a look at every subscriber of the language
-- (BenchmarkSegment measured both and a pattern match on the column).
-- Triggers keep the rows in step with subscribers, whoever writes it
-- (sign-up, preference centre, bounces, import, erasure).
CREATE TABLE subscriber_topics (
    brand_id TEXT NOT NULL,
    topic    TEXT NOT NULL,
    status   TEXT NOT NULL,
    lang     TEXT NOT NULL,
    paused   INTEGER NOT NULL,
    address  TEXT NOT NULL,
    PRIMARY KEY (brand_id, topic, status, lang, paused, address)
);
CREATE INDEX subscriber_topics_address ON subscriber_topics (brand_id, address);

-- Topic keys are [a-z0-9_-] (content.BrandEmail), so the column turns
-- into a JSON array by quoting around the spaces.
CREATE TRIGGER subscribers_topics_insert AFTER INSERT ON subscribers WHEN NEW.topics <> '' BEGIN
    INSERT OR IGNORE INTO subscriber_topics (brand_id, topic, status, lang, paused, address)
    SELECT NEW.brand_id, value, NEW.status, NEW.lang, NEW.paused, NEW.address
    FROM json_each('["' || replace(NEW.topics, ' ', '","') || '"]') WHERE value <> '';
END;
CREATE TRIGGER subscribers_topics_update AFTER UPDATE OF topics, status, lang, paused ON subscribers
WHEN OLD.topics IS NOT NEW.topics OR OLD.status IS NOT NEW.status OR OLD.lang IS NOT NEW.lang OR OLD.paused IS NOT NEW.paused BEGIN
    DELETE FROM subscriber_topics WHERE brand_id = OLD.brand_id AND address = OLD.address;
    INSERT OR IGNORE INTO subscriber_topics (brand_id, topic, status, lang, paused, address)
    SELECT NEW.brand_id, value, NEW.status, NEW.lang, NEW.paused, NEW.address
    FROM json_each('["' || replace(NEW.topics, ' ', '","') || '"]') WHERE NEW.topics <> '' AND value <> '';
END;
CREATE TRIGGER subscribers_topics_delete AFTER DELETE ON subscribers BEGIN
    DELETE FROM subscriber_topics WHERE brand_id = OLD.brand_id AND address = OLD.address;
END;

INSERT OR IGNORE INTO subscriber_topics (brand_id, topic, status, lang, paused, address)
SELECT sb.brand_id, j.value, sb.status, sb.lang, sb.paused, sb.address
FROM subscribers sb, json_each('["' || replace(sb.topics, ' ', '","') || '"]') j
WHERE sb.topics <> '' AND j.value <> '';

-- The item page's counts of a segment by language, status and pause
-- read this index alone.
CREATE INDEX subscribers_reach ON subscribers (brand_id, lang, status, paused);

-- Translations are found by (brand, content id) when an email picks its
-- readers.
CREATE INDEX items_content ON items (brand_id, content_id);
