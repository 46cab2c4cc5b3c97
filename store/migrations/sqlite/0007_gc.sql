-- Garbage collection (store/gc.go). Blobs are shared by content hash, so
-- a blob may be deleted only when no row refers to it: each referring
-- column gets an index, so that check is a lookup, not a scan.
CREATE INDEX version_assets_sha256 ON version_assets (sha256);
CREATE INDEX brand_files_sha256 ON brand_files (sha256);
CREATE INDEX rendering_files_sha256 ON rendering_files (sha256);
CREATE INDEX index_files_sha256 ON index_files (sha256);
CREATE INDEX derivatives_sha256 ON derivatives (sha256);

-- Blobs that lost a reference (a rebuilt index, a re-rendered item), for
-- the collector to check: its work follows what changed, not the size
-- of the store.
CREATE TABLE gc_candidates (
    sha256    TEXT PRIMARY KEY,
    queued_at DATETIME NOT NULL
);

-- A derivative of an image no stored item or brand has (a live
-- preview's) is deleted after a while; one whose image is kept is
-- checked once.
ALTER TABLE derivatives ADD COLUMN gc_checked INTEGER NOT NULL DEFAULT 0;
CREATE INDEX derivatives_unchecked ON derivatives (gc_checked, created_at);

-- What earlier versions left behind: every blob nothing refers to.
INSERT INTO gc_candidates (sha256, queued_at)
SELECT a.sha256, CURRENT_TIMESTAMP FROM assets a
WHERE NOT EXISTS (SELECT 1 FROM version_assets r WHERE r.sha256 = a.sha256)
  AND NOT EXISTS (SELECT 1 FROM brand_files r WHERE r.sha256 = a.sha256)
  AND NOT EXISTS (SELECT 1 FROM rendering_files r WHERE r.sha256 = a.sha256)
  AND NOT EXISTS (SELECT 1 FROM index_files r WHERE r.sha256 = a.sha256)
  AND NOT EXISTS (SELECT 1 FROM derivatives r WHERE r.sha256 = a.sha256);
