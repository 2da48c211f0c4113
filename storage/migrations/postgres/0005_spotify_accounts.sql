-- 0005: Spotify accounts connected with /spotify connect (Authorization Code + PKCE).
-- Tokens and PKCE verifiers are stored encrypted (Fernet, TOKEN_ENCRYPTION_KEY): the
-- database never holds a usable token. Times are Unix seconds (double precision, UTC).

-- One connected account per Discord user.
CREATE TABLE spotify_accounts (
    discord_user_id bigint           PRIMARY KEY,
    spotify_user_id text             NOT NULL,
    display_name    text             NOT NULL DEFAULT '',
    scope           text             NOT NULL DEFAULT '',
    tokens          bytea            NOT NULL,
    expires_at      double precision NOT NULL,
    created_at      double precision NOT NULL,
    updated_at      double precision NOT NULL
);

-- Sign-ins under way: the state sent to Spotify (stored as its SHA-256), whose it is,
-- and the encrypted PKCE verifier. Single use: taken (deleted) by the callback.
CREATE TABLE spotify_pending (
    state_hash      text             PRIMARY KEY,
    discord_user_id bigint           NOT NULL,
    verifier        bytea            NOT NULL,
    created_at      double precision NOT NULL
);
CREATE INDEX spotify_pending_user ON spotify_pending (discord_user_id);
CREATE INDEX spotify_pending_created ON spotify_pending (created_at);
