-- 0001: the first schema. Applied in one transaction by storage/database.py, which
-- then sets PRAGMA user_version = 1. Times are Unix seconds (REAL, UTC).

-- Playlists by (source, id): the last fetched snapshot and its tracks
-- (storage/codec.py's compact track encoding, zlib-compressed).
CREATE TABLE playlists (
    source      TEXT    NOT NULL,
    id          TEXT    NOT NULL,
    snapshot    TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    track_count INTEGER NOT NULL,
    fetched_at  REAL    NOT NULL,
    last_used   REAL    NOT NULL,
    size_bytes  INTEGER NOT NULL,
    data        BLOB    NOT NULL,
    PRIMARY KEY (source, id)
);
CREATE INDEX playlists_last_used ON playlists (last_used);

-- Track features by (source, track id, provider); a track's features never change,
-- so they are shared by every playlist and request. JSON object of name -> number.
CREATE TABLE track_features (
    source     TEXT    NOT NULL,
    track_id   TEXT    NOT NULL,
    provider   TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    stored_at  REAL    NOT NULL,
    size_bytes INTEGER NOT NULL,
    features   TEXT    NOT NULL,
    PRIMARY KEY (source, track_id, provider)
) WITHOUT ROWID;
CREATE INDEX track_features_stored_at ON track_features (stored_at);

-- Finished analyses keyed by storage.cache.analysis_key (snapshot + options + versions).
-- The PNG is stored once, beside the compact document; the big columns come last so
-- statistics and eviction never read them.
CREATE TABLE analyses (
    key              TEXT    PRIMARY KEY,
    source           TEXT    NOT NULL,
    playlist_id      TEXT    NOT NULL,
    snapshot         TEXT    NOT NULL,
    options          TEXT    NOT NULL,
    analysis_version INTEGER NOT NULL,
    track_count      INTEGER NOT NULL,
    created_at       REAL    NOT NULL,
    last_used        REAL    NOT NULL,
    size_bytes       INTEGER NOT NULL,
    document         BLOB    NOT NULL,
    png              BLOB    NOT NULL
);
CREATE INDEX analyses_last_used ON analyses (last_used);
CREATE INDEX analyses_playlist ON analyses (source, playlist_id);

-- Running totals of the cache tables, kept exact by the triggers below so that the
-- size bound is checked without scanning. Writers use UPSERT (never INSERT OR REPLACE,
-- whose implicit delete would skip the delete triggers).
CREATE TABLE cache_usage (
    kind  TEXT    PRIMARY KEY,
    rows  INTEGER NOT NULL,
    bytes INTEGER NOT NULL
);
INSERT INTO cache_usage (kind, rows, bytes)
VALUES ('analyses', 0, 0), ('playlists', 0, 0), ('track_features', 0, 0);

CREATE TRIGGER analyses_usage_insert AFTER INSERT ON analyses BEGIN
    UPDATE cache_usage SET rows = rows + 1, bytes = bytes + NEW.size_bytes WHERE kind = 'analyses';
END;
CREATE TRIGGER analyses_usage_delete AFTER DELETE ON analyses BEGIN
    UPDATE cache_usage SET rows = rows - 1, bytes = bytes - OLD.size_bytes WHERE kind = 'analyses';
END;
CREATE TRIGGER analyses_usage_update AFTER UPDATE OF size_bytes ON analyses BEGIN
    UPDATE cache_usage SET bytes = bytes - OLD.size_bytes + NEW.size_bytes WHERE kind = 'analyses';
END;
CREATE TRIGGER playlists_usage_insert AFTER INSERT ON playlists BEGIN
    UPDATE cache_usage SET rows = rows + 1, bytes = bytes + NEW.size_bytes WHERE kind = 'playlists';
END;
CREATE TRIGGER playlists_usage_delete AFTER DELETE ON playlists BEGIN
    UPDATE cache_usage SET rows = rows - 1, bytes = bytes - OLD.size_bytes WHERE kind = 'playlists';
END;
CREATE TRIGGER playlists_usage_update AFTER UPDATE OF size_bytes ON playlists BEGIN
    UPDATE cache_usage SET bytes = bytes - OLD.size_bytes + NEW.size_bytes WHERE kind = 'playlists';
END;
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

-- Posted result messages, so paging works after a restart. An analysis referenced
-- here is never evicted.
CREATE TABLE messages (
    message_id   INTEGER PRIMARY KEY,
    channel_id   INTEGER NOT NULL,
    guild_id     INTEGER,
    analysis_key TEXT    NOT NULL,
    owner_id     INTEGER NOT NULL,
    cluster      INTEGER NOT NULL DEFAULT 0 CHECK (cluster >= 0),
    page         INTEGER NOT NULL DEFAULT 0 CHECK (page >= 0),
    created_at   REAL    NOT NULL,
    updated_at   REAL    NOT NULL
);
CREATE INDEX messages_analysis ON messages (analysis_key);
CREATE INDEX messages_updated_at ON messages (updated_at);

-- Weekly schedules. A playlist referenced here is never evicted.
CREATE TABLE schedules (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id         INTEGER NOT NULL,
    channel_id       INTEGER NOT NULL,
    ref_source       TEXT    NOT NULL,
    ref_id           TEXT    NOT NULL,
    weekday          INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    time             TEXT    NOT NULL CHECK (time GLOB '[0-2][0-9]:[0-5][0-9]'),
    timezone         TEXT    NOT NULL,
    k                INTEGER CHECK (k IS NULL OR k BETWEEN 2 AND 12),
    created_by       INTEGER NOT NULL,
    created_at       REAL    NOT NULL,
    enabled          INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    disabled_reason  TEXT    NOT NULL DEFAULT '',
    last_posted_week TEXT CHECK (last_posted_week IS NULL
                                 OR last_posted_week GLOB '[0-9][0-9][0-9][0-9]-W[0-5][0-9]'),
    last_track_ids   TEXT    NOT NULL DEFAULT '[]',
    last_labels      TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX schedules_guild ON schedules (guild_id);
CREATE INDEX schedules_ref ON schedules (ref_source, ref_id);

-- Per-guild defaults.
CREATE TABLE guild_settings (
    guild_id         INTEGER PRIMARY KEY,
    default_k        INTEGER CHECK (default_k IS NULL OR default_k BETWEEN 2 AND 12),
    schedule_role_id INTEGER,
    updated_at       REAL    NOT NULL
);
