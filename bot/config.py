"""Settings from the environment and ``.env``; every one is listed in ``.env.example``.

Every setting has a default that works on a fresh machine, except the secrets.
Every remote base URL is a setting so tests and mirrors can point it elsewhere.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEEZER_PREVIEW_HOSTS = (
    "cdnt-preview.dzcdn.net",
    "cdns-preview-d.dzcdn.net",
    "cdn-preview-d.dzcdn.net",
)

CommaList = Annotated[list[str], NoDecode]


class Settings(BaseSettings):
    """All knobs of the bot and the CLI."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # Discord
    discord_token: SecretStr | None = None
    discord_owner_ids: CommaList = Field(default_factory=list)

    # Spotify (client-credentials app); both empty = Spotify links explain what to do instead
    spotify_client_id: str = ""
    spotify_client_secret: SecretStr = SecretStr("")

    # Remote base URLs
    spotify_api_base: str = "https://api.spotify.com/v1"
    spotify_token_url: str = "https://accounts.spotify.com/api/token"
    deezer_api_base: str = "https://api.deezer.com"
    reccobeats_api_base: str = "https://api.reccobeats.com/v1"
    preview_hosts: CommaList = Field(default_factory=lambda: list(DEEZER_PREVIEW_HOSTS))

    # HTTP behaviour
    http_timeout_seconds: float = 15.0
    http_max_retries: int = 4
    http_max_retry_after_seconds: float = 30.0
    http_concurrency: int = 8
    deezer_rate_per_5s: int = 45
    spotify_rate_per_second: float = 10.0
    reccobeats_rate_per_second: float = 5.0
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
    cache_max_mb: float = 200.0
    freshness_seconds: int = 600
    message_retention_days: float = 90.0

    # Preview audio analysis (bot/features/audio.py)
    preview_max_bytes: int = 2_000_000
    audio_workers: int = 0  # 0 = one process per CPU core
    preview_retry_hours: float = 24.0  # a silent/broken preview is tried again after this

    # Bot behaviour
    max_concurrent_analyses: int = 2
    user_cooldown_seconds: float = 30.0
    progress_edit_interval_seconds: float = 1.5
    interaction_answer_seconds: float = 840.0
    health_file: Path = Path("data/heartbeat")

    # Weekly posts (cogs/schedule.py)
    schedule_check_seconds: float = 60.0
    schedule_retry_seconds: float = 900.0
    schedule_max_per_guild: int = 10

    log_level: str = "INFO"

    @field_validator("discord_owner_ids", "preview_hosts", "feature_providers", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
