-- 0002: track features as float64 blobs under shared key lists, instead of one JSON
-- object per row (about 2.5 times smaller). Features are a cache: the rows stored in
-- the old layout are dropped, and fetched again when next needed.

-- The names of a feature set, in order, stored once (JSON list of strings).
CREATE TABLE feature_keys (
    id   INTEGER PRIMARY KEY,
    keys TEXT    NOT NULL UNIQUE
);

DROP TRIGGER track_features_usage_insert;
DROP TRIGGER track_features_usage_delete;
DROP TRIGGER track_features_usage_update;
DROP TABLE track_features;
UPDATE cache_usage SET rows = 0, bytes = 0 WHERE kind = 'track_features';

-- vals: little-endian float64 per name of keys_id, NaN where a track lacks that name.
CREATE TABLE track_features (
    source     TEXT    NOT NULL,
    track_id   TEXT    NOT NULL,
    provider   TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    stored_at  REAL    NOT NULL,
    size_bytes INTEGER NOT NULL,
    keys_id    INTEGER NOT NULL REFERENCES feature_keys (id),
    vals       BLOB    NOT NULL,
    PRIMARY KEY (source, track_id, provider)
) WITHOUT ROWID;
CREATE INDEX track_features_stored_at ON track_features (stored_at);

CREATE TRIGGER track_features_usage_insert AFTER INSERT ON track_features BEGIN
    UPDATE cache_usage SET rows = rows + 1, bytes = bytes + NEW.size_bytes
    WHERE kind = 'track_features';
END;
CREATE TRIGGER track_features_usage_delete AFTER DELETE ON track_features BEGIN
    UPDATE cache_usage SET rows = rows - 1, bytes = bytes - OLD.size_bytes
    WHERE kind = 'track_features';
END;
CREATE TRIGGER track_features_usage_update AFTER UPDATE OF size_bytes ON track_features BEGIN
    UPDATE cache_usage SET bytes = bytes - OLD.size_bytes + NEW.size_bytes
    WHERE kind = 'track_features';
END;
