-- The audience (store/audience.go). A subscriber has a status (pending
-- until a confirmed opt-in, then active, or unsubscribed, bounced or
-- complained), a language, the topics it chose (sorted keys separated by
-- spaces), and may pause. confirm_sent_at is when the latest
-- confirmation email was planned: its link must carry that time, so a
-- link from an earlier email, or one used already, confirms nothing.
ALTER TABLE subscribers ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
ALTER TABLE subscribers ADD COLUMN lang TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN topics TEXT NOT NULL DEFAULT '';
ALTER TABLE subscribers ADD COLUMN paused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscribers ADD COLUMN confirmed_at TIMESTAMPTZ;
ALTER TABLE subscribers ADD COLUMN changed_at TIMESTAMPTZ;
ALTER TABLE subscribers ADD COLUMN confirm_sent_at TIMESTAMPTZ;
CREATE INDEX subscribers_segment ON subscribers (brand_id, status, lang);

-- Every change of a subscriber's status or choices: when, how (source),
-- what changed (action) and what the subscriber stood at after it, the
-- wording or form version they were shown (an import's stated basis),
-- and a keyed hash of the client's address when there was one. Rows are
-- never deleted except by erasure.
CREATE TABLE consents (
    id          BIGSERIAL PRIMARY KEY,
    brand_id    TEXT NOT NULL,
    address     TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    source      TEXT NOT NULL,
    action      TEXT NOT NULL,
    status      TEXT NOT NULL,
    lang        TEXT NOT NULL DEFAULT '',
    topics      TEXT NOT NULL DEFAULT '',
    wording     TEXT NOT NULL DEFAULT '',
    client_hash TEXT NOT NULL DEFAULT ''
);
CREATE INDEX consents_subscriber ON consents (brand_id, address, id);

-- The bare list of earlier versions: an admin added every address, so
-- each is active from when it was added, unless it is suppressed.
UPDATE subscribers SET changed_at = created_at, confirmed_at = created_at;
UPDATE subscribers SET status = COALESCE((SELECT CASE x.reason WHEN 'bounced' THEN 'bounced' WHEN 'complained' THEN 'complained' ELSE 'unsubscribed' END
    FROM suppressions x WHERE x.brand_id = subscribers.brand_id AND x.address = subscribers.address), 'active');
INSERT INTO consents (brand_id, address, at, source, action, status, wording)
SELECT brand_id, address, created_at, 'migration', 'add', 'active', 'added by an admin before consent was recorded'
FROM subscribers;
INSERT INTO consents (brand_id, address, at, source, action, status, wording)
SELECT x.brand_id, x.address, x.created_at, 'migration', 'suppress', sb.status, 'suppressed before consent was recorded: ' || x.reason
FROM suppressions x JOIN subscribers sb ON sb.brand_id = x.brand_id AND sb.address = x.address;
