-- Sending to a segment (store/segments.go). A subscriber's topics stay in
-- subscribers.topics (sorted keys separated by spaces), and each is also
-- a row here with the subscriber's status, language and pause, so
-- counting who of a language chose a topic is a range scan of this
-- table's key instead of a look at every subscriber of the language
-- (BenchmarkSegment measured both and a pattern match on the column).
-- A trigger keeps the rows in step with subscribers, whoever writes it
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

CREATE FUNCTION subscriber_topics_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM subscriber_topics WHERE brand_id = OLD.brand_id AND address = OLD.address;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO subscriber_topics (brand_id, topic, status, lang, paused, address)
        SELECT NEW.brand_id, t, NEW.status, NEW.lang, NEW.paused, NEW.address
        FROM unnest(string_to_array(NEW.topics, ' ')) AS t WHERE t <> ''
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER subscribers_topics_write AFTER INSERT OR DELETE ON subscribers
    FOR EACH ROW EXECUTE FUNCTION subscriber_topics_sync();
CREATE TRIGGER subscribers_topics_update AFTER UPDATE OF topics, status, lang, paused ON subscribers
    FOR EACH ROW WHEN (OLD.topics IS DISTINCT FROM NEW.topics OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.lang IS DISTINCT FROM NEW.lang OR OLD.paused IS DISTINCT FROM NEW.paused)
    EXECUTE FUNCTION subscriber_topics_sync();

INSERT INTO subscriber_topics (brand_id, topic, status, lang, paused, address)
SELECT sb.brand_id, t, sb.status, sb.lang, sb.paused, sb.address
FROM subscribers sb, unnest(string_to_array(sb.topics, ' ')) AS t
WHERE t <> '' ON CONFLICT DO NOTHING;

-- The item page's counts of a segment by language, status and pause
-- read this index alone.
CREATE INDEX subscribers_reach ON subscribers (brand_id, lang, status, paused);

-- Translations are found by (brand, content id) when an email picks its
-- readers.
CREATE INDEX items_content ON items (brand_id, content_id);
