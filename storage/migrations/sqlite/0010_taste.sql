-- 0010: the taste map (issue 24). A member's playlist takes part in their server's
-- taste maps only once they share it (/taste share); /taste unshare deletes the share
-- and every row computed from it (taste_derived rows naming the member). Times are
-- Unix seconds (REAL, UTC).

-- One shared playlist per member per server.
CREATE TABLE taste_shares (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    ref_source  TEXT    NOT NULL,
    ref_id      TEXT    NOT NULL,
    name        TEXT    NOT NULL DEFAULT '',
    member_name TEXT    NOT NULL DEFAULT '',
    created_at  REAL    NOT NULL,
    PRIMARY KEY (guild_id, user_id)
);

-- What was computed from shared playlists and kept: a bridge playlist behind a posted
-- comparison (kind 'bridge', for its 📥 and Save buttons) and last week's pair scores
-- (kind 'week', for the weekly post's changes). user_b is 0 when one member is named.
CREATE TABLE taste_derived (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id   INTEGER NOT NULL,
    user_a     INTEGER NOT NULL,
    user_b     INTEGER NOT NULL DEFAULT 0,
    kind       TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    created_at REAL    NOT NULL
);
CREATE INDEX taste_derived_a ON taste_derived (guild_id, user_a);
CREATE INDEX taste_derived_b ON taste_derived (guild_id, user_b);
CREATE INDEX taste_derived_kind ON taste_derived (guild_id, kind);
