"""The flat settings: one validated field per environment variable (``.env.example`` lists them).

Every setting has a default that works on a fresh machine, except the secrets. Every
remote base URL is a setting so tests and mirrors can point it elsewhere. Bounds of
numbers are in :data:`RANGES`. :mod:`bot.settings.views` cuts these fields into the
groups each layer receives; :mod:`bot.settings.env` loads them.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEEZER_PREVIEW_HOSTS = (
    "cdnt-preview.dzcdn.net",
    "cdns-preview-d.dzcdn.net",
    "cdn-preview-d.dzcdn.net",
)

CommaList = Annotated[list[str], NoDecode]

#: Accepted range of numeric settings (inclusive); any other number: 0 .. DEFAULT_RANGE.
DEFAULT_RANGE = 1e9
RANGES: dict[str, tuple[float, float]] = {
    "http_timeout_seconds": (0.01, 3600),
    "http_max_retries": (0, 20),
    "http_max_retry_after_seconds": (0, 3600),
    "http_concurrency": (1, 1000),
    "deezer_rate_per_5s": (1, 1e9),
    "spotify_rate_per_second": (0, 1e9),  # 0 = no ceiling on the adaptive pace
    "reccobeats_rate_per_second": (0, 1e9),
    "spotify_embed_rate_per_second": (0, 1e9),
    "ytmusic_rate_per_second": (0, 1e9),
    "apple_music_rate_per_second": (0, 1e9),
    "match_cache_days": (0, 3650),
    "deezer_track_budget_seconds": (0, 3600),
    "deezer_match_budget_seconds": (0, 3600),
    "native_threads": (0, 1024),
    "csv_max_rows": (1, 10_000_000),
    "csv_max_bytes": (1, 1e9),
    "playlist_max_tracks": (1, 10_000_000),
    "metadata_weight": (0, 100),
    "k_min": (2, 12),
    "k_max": (2, 12),
    "random_state": (0, 2**32 - 1),
    "preview_max_bytes": (1, 1e9),
    "audio_workers": (0, 256),
    "max_concurrent_analyses": (1, 1000),
    "interaction_answer_seconds": (0, 900),
    "schedule_check_seconds": (1, 7 * 86_400),  # the clock sleeps at most a week
    "schedule_retry_seconds": (1, 7 * 86_400),
    "message_retention_days": (0.01, 36_500),
    "schedule_lease_seconds": (10, 7 * 86_400),
    "shard_count": (0, 100_000),  # 0 = as many as Discord recommends (GET /gateway/bot)
    "worker_concurrency": (1, 1000),
    "job_timeout_seconds": (1, 86_400),
}
KNOWN_FEATURE_PROVIDERS = ("spotify", "reccobeats", "deezer", "preview")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
#: Settings whose value is never repeated in a message.
SECRETS = ("discord_token", "spotify_client_secret", "database_url", "redis_url")
#: What DATABASE_URL may start with (anything else: BadSetting); empty is SQLite.
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
#: What REDIS_URL may start with (redis-py's URL forms).
REDIS_SCHEMES = ("redis", "rediss", "unix")


class EnvFields(BaseSettings):
    """All knobs of the bot and the CLI, one field per variable, validated when loaded."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Discord
    discord_token: SecretStr | None = None
    discord_owner_ids: CommaList = Field(default_factory=list)
    #: Subscribe to the privileged members intent (enable "Server Members Intent" in the
    #: developer portal first, or Discord refuses the connection): a member's shared
    #: taste playlist then goes the moment they leave, not at the next map.
    discord_members_intent: bool = False

    # Spotify (client-credentials app); both empty = Spotify links explain what to do instead
    spotify_client_id: str = ""
    spotify_client_secret: SecretStr = SecretStr("")

    # Spotify accounts (/spotify connect): off unless all three are set
    public_url: str = ""
    token_encryption_key: SecretStr = SecretStr("")
    oauth_port: int = 8080
    oauth_bind_host: str = "0.0.0.0"
    liked_cache_seconds: float = 300.0

    # Remote base URLs
    spotify_api_base: str = "https://api.spotify.com/v1"
    spotify_token_url: str = "https://accounts.spotify.com/api/token"
    spotify_authorize_url: str = "https://accounts.spotify.com/authorize"
    deezer_api_base: str = "https://api.deezer.com"
    reccobeats_api_base: str = "https://api.reccobeats.com/v1"
    preview_hosts: CommaList = Field(default_factory=lambda: list(DEEZER_PREVIEW_HOSTS))
    # Public pages read without credentials (not the services' documented APIs: a host
    # may switch each off; then such links are answered with what works instead)
    spotify_embed_base: str = "https://open.spotify.com/embed"
    spotify_page_reading: bool = True
    ytmusic_api_base: str = "https://music.youtube.com/youtubei/v1"
    ytmusic_reading: bool = True
    apple_music_base: str = "https://music.apple.com"
    apple_music_reading: bool = True
    # Days a track's Deezer match (or its absence) is remembered
    match_cache_days: float = 30.0

    # HTTP behaviour
    http_timeout_seconds: float = 15.0
    http_max_retries: int = 4
    http_max_retry_after_seconds: float = 30.0
    http_concurrency: int = 8
    deezer_rate_per_5s: int = 45
    # Spotify and ReccoBeats publish no limits: their pace adapts to 429s (AIMD, see
    # bot/net/ratelimit.py); these are optional ceilings in requests per second, 0 = none.
    spotify_rate_per_second: float = 0.0
    reccobeats_rate_per_second: float = 0.0
    spotify_embed_rate_per_second: float = 0.0
    ytmusic_rate_per_second: float = 0.0
    apple_music_rate_per_second: float = 0.0
    # Seconds the Deezer tempo/loudness lookups (one request per track) may add to an
    # answer; the bot fetches the rest in the background into the feature cache.
    deezer_track_budget_seconds: float = 6.0
    # Seconds an answer waits for Deezer matches that only add album, label and art
    # (tracks of public pages that have their features); the bot fetches the rest in
    # the background into the match cache, the CLI waits for every one.
    deezer_match_budget_seconds: float = 3.0
    feature_providers: CommaList = Field(
        default_factory=lambda: ["spotify", "reccobeats", "deezer"]
    )

    # Input limits
    csv_max_rows: int = 10_000
    csv_max_bytes: int = 5_000_000
    playlist_max_tracks: int = 10_000

    # Analysis
    metadata_weight: float = 0.5
    k_min: int = 2
    k_max: int = 12
    random_state: int = 0

    # Storage
    database_path: Path = Path("data/playlist-clusters.db")
    # empty: the SQLite file at DATABASE_PATH; postgresql://...: a shared PostgreSQL database
    database_url: SecretStr = SecretStr("")
    cache_max_mb: float = 200.0
    freshness_seconds: int = 600
    message_retention_days: float = 90.0

    # Preview audio analysis (bot/features/audio.py)
    preview_max_bytes: int = 2_000_000
    audio_workers: int = 0  # 0 = one process per CPU core
    preview_retry_hours: float = 24.0  # a silent/broken preview is tried again after this

    # Bot behaviour
    max_concurrent_analyses: int = 2
    # BLAS/OpenMP threads per process; 0 = cores // MAX_CONCURRENT_ANALYSES (bot), all (CLI)
    native_threads: int = 0
    user_cooldown_seconds: float = 30.0
    progress_edit_interval_seconds: float = 1.5
    interaction_answer_seconds: float = 840.0
    health_file: Path = Path("data/heartbeat")

    # Weekly posts (cogs/schedule.py)
    schedule_check_seconds: float = 3600.0
    schedule_retry_seconds: float = 900.0
    schedule_max_per_guild: int = 10
    # A process claims a schedule's week before posting it; another process may take the
    # claim over only after this many seconds (the claimer crashed) and checks again just
    # before sending, so two processes never both post.
    schedule_lease_seconds: float = 1800.0

    # Sharding (several bot processes): empty SHARD_COUNT = one gateway connection, as
    # discord.py does by default; "auto" = every shard Discord recommends, in this process;
    # N with SHARD_IDS = this process runs those of the N shards (all of them when empty).
    shard_count: int | None = None
    shard_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    # Analyses as jobs (bot/jobs/): empty = analyses run inside the bot process
    redis_url: SecretStr = SecretStr("")
    worker_concurrency: int = 2
    job_timeout_seconds: float = 600.0

    log_level: str = "INFO"

    @property
    def cache_max_bytes(self) -> int:
        """``CACHE_MAX_MB`` in bytes (megabytes of 1,000,000 bytes)."""
        return int(self.cache_max_mb * 1_000_000)

    @field_validator("discord_owner_ids", "preview_hosts", "feature_providers", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("shard_count", mode="before")
    @classmethod
    def _auto_shards(cls, value: object) -> object:
        """'' (unset) means no sharding, "auto" means Discord's recommended count (0)."""
        if isinstance(value, str):
            text = value.strip().lower()
            return None if not text else 0 if text == "auto" else text
        return value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _split_shard_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _in_range(cls, value: Any, info: ValidationInfo) -> Any:
        """Numbers finite and within RANGES (so no setting can hang, flood or overflow)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return value
        low, high = RANGES.get(info.field_name or "", (0, DEFAULT_RANGE))
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError(f"must be a number from {low:g} to {high:g}")
        return value

    @field_validator(
        "spotify_api_base",
        "spotify_token_url",
        "deezer_api_base",
        "reccobeats_api_base",
        "spotify_embed_base",
        "ytmusic_api_base",
        "apple_music_base",
    )
    @classmethod
    def _http_url(cls, value: str) -> str:
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018  (raises ValueError for a port out of range)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        except ValueError:
            ok = False
        if not ok:
            raise ValueError("must be an http:// or https:// URL with a host")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value().strip()
        if not url:
            return SecretStr("")
        if not url.startswith(POSTGRES_SCHEMES):
            raise ValueError("must be empty (SQLite) or a postgresql:// URL")
        try:
            parts = urlsplit(url)
        except ValueError as exc:
            raise ValueError(f"is not a URL ({exc})") from None
        try:
            parts.port  # noqa: B018  (raises ValueError for a port out of range)
        except ValueError:
            raise ValueError("its port is not a number from 0 to 65535") from None
        return SecretStr(url)

    @field_validator("feature_providers")
    @classmethod
    def _known_providers(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v.casefold() not in KNOWN_FEATURE_PROVIDERS]
        if unknown:
            known = ", ".join(KNOWN_FEATURE_PROVIDERS)
            raise ValueError(f"unknown provider {unknown[0][:40]!r} (known: {known})")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value().strip()
        if not text:
            return SecretStr("")
        try:
            parts = urlsplit(text)
            parts.port  # noqa: B018  (raises ValueError for a port out of range)
            ok = parts.scheme in REDIS_SCHEMES and bool(parts.hostname or parts.path)
        except ValueError:
            ok = False
        if not ok:
            raise ValueError("must be empty or a redis://, rediss:// or unix:// URL")
        return SecretStr(text)

    @model_validator(mode="after")
    def _k_order(self) -> EnvFields:
        if self.k_min > self.k_max:
            raise ValueError(f"K_MIN ({self.k_min}) is above K_MAX ({self.k_max})")
        return self

    @model_validator(mode="after")
    def _shards(self) -> EnvFields:
        ids, count = self.shard_ids, self.shard_count
        if not ids:
            return self
        if count is None:
            raise ValueError("SHARD_IDS needs SHARD_COUNT, the total number of shards")
        if count == 0:
            raise ValueError("SHARD_IDS needs SHARD_COUNT as a number of shards, not auto")
        wrong = [i for i in ids if not 0 <= i < count]
        if wrong:
            raise ValueError(
                f"SHARD_IDS has {wrong[0]}, but with SHARD_COUNT={count} shard ids go from 0"
                f" to {count - 1}"
            )
        if len(set(ids)) != len(ids):
            raise ValueError("SHARD_IDS names a shard twice")
        return self

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}")
        return value
