-- 0005: Spotify accounts connected with /spotify connect (Authorization Code + PKCE).
-- Tokens and PKCE verifiers are stored encrypted (Fernet, TOKEN_ENCRYPTION_KEY): this
-- file never holds a usable token. Times are Unix seconds (REAL, UTC).

-- One connected account per Discord user.
CREATE TABLE spotify_accounts (
    discord_user_id INTEGER PRIMARY KEY,
    spotify_user_id TEXT    NOT NULL,
    display_name    TEXT    NOT NULL DEFAULT '',
    scope           TEXT    NOT NULL DEFAULT '',
    tokens          BLOB    NOT NULL,
    expires_at      REAL    NOT NULL,
    created_at      REAL    NOT NULL,
    updated_at      REAL    NOT NULL
);

-- Sign-ins under way: the state sent to Spotify (stored as its SHA-256), whose it is,
-- and the encrypted PKCE verifier. Single use: taken (deleted) by the callback.
CREATE TABLE spotify_pending (
    state_hash      TEXT    PRIMARY KEY,
    discord_user_id INTEGER NOT NULL,
    verifier        BLOB    NOT NULL,
    created_at      REAL    NOT NULL
) WITHOUT ROWID;
CREATE INDEX spotify_pending_user ON spotify_pending (discord_user_id);
CREATE INDEX spotify_pending_created ON spotify_pending (created_at);
