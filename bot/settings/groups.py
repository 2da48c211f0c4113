"""The settings each layer receives: frozen groups cut from the one flat, validated Settings.

``bot/settings/env.py`` reads the environment into one flat ``Settings`` (the variable
names users set) and validates it when loaded; its properties (``settings.http``,
``settings.spotify``, ..., written in ``bot/settings/views.py``) build these groups.
Each layer is handed only its group, so no module below the composition root imports
``bot.settings.env`` (an import-linter contract) and a layer's dependencies on settings can
be read from its signature:

============================  ==========================================================
group                         who receives it
============================  ==========================================================
:class:`HttpSettings`         ``bot/net/client.py`` (``HttpClient``)
:class:`SpotifySettings`      ``SpotifyAuth``, the Spotify source and feature provider,
                              the member's own sources (``bot/services/personal.py``)
:class:`DeezerSettings`       the Deezer source and feature provider
:class:`PublicSettings`       public pages (Spotify embed, YouTube Music, Apple Music),
                              Deezer matching
:class:`FeatureSettings`      the provider order (``bot/roots/wiring.py``), ReccoBeats, preview
                              audio (``bot/features/audio.py``)
:class:`AnalysisSettings`     the pipeline (k range, seed, freshness) and the service
                              (metadata weight, upload limits)
:class:`StorageSettings`      opening the database, pruning old message states
:class:`AccountSettings`      members' Spotify accounts (``bot/account/``)
============================  ==========================================================

Nothing here reads the environment or validates: the values were checked when the
flat Settings loaded (bounds in ``bot.settings.env.RANGES``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Timeouts, retries, concurrency, and each provider host's pace (``HTTP_*``, ``*_RATE_*``).

    The base URLs are here because limits are kept per host.
    """

    timeout_seconds: float
    max_retries: int
    max_retry_after_seconds: float
    concurrency: int
    spotify_api_base: str
    spotify_token_url: str
    spotify_rate_per_second: float
    reccobeats_api_base: str
    reccobeats_rate_per_second: float
    deezer_api_base: str
    deezer_rate_per_5s: int
    #: Public pages read without credentials: paced adaptively like Spotify's API.
    spotify_embed_base: str = "https://open.spotify.com/embed"
    spotify_embed_rate_per_second: float = 0.0
    ytmusic_api_base: str = "https://music.youtube.com/youtubei/v1"
    ytmusic_rate_per_second: float = 0.0
    apple_music_base: str = "https://music.apple.com"
    apple_music_rate_per_second: float = 0.0

    def adaptive_hosts(self) -> tuple[tuple[str, str, float], ...]:
        """(base URL, provider name, ceiling in requests/s, 0 = none) of every host whose
        limits are unpublished: paced adaptively (:class:`bot.net.ratelimit.AdaptiveRate`)."""
        return (
            (self.spotify_api_base, "Spotify", self.spotify_rate_per_second),
            (self.spotify_token_url, "Spotify", self.spotify_rate_per_second),
            (self.reccobeats_api_base, "ReccoBeats", self.reccobeats_rate_per_second),
            (self.spotify_embed_base, "Spotify", self.spotify_embed_rate_per_second),
            (self.ytmusic_api_base, "YouTube Music", self.ytmusic_rate_per_second),
            (self.apple_music_base, "Apple Music", self.apple_music_rate_per_second),
        )


@dataclass(frozen=True, slots=True)
class SpotifySettings:
    """The bot's Spotify app and API (``SPOTIFY_*``), with the fetch limits."""

    api_base: str
    token_url: str
    authorize_url: str
    client_id: str
    client_secret: str = field(repr=False)
    concurrency: int
    max_tracks: int


@dataclass(frozen=True, slots=True)
class DeezerSettings:
    """Deezer's API (``DEEZER_*``), with the fetch limits and the track lookups' budget."""

    api_base: str
    concurrency: int
    max_tracks: int
    track_budget_seconds: float


@dataclass(frozen=True, slots=True)
class PublicSettings:
    """Reading public pages without credentials (Spotify's embed page, YouTube Music,
    Apple Music's web page) and matching their tracks to Deezer (``SPOTIFY_EMBED_BASE``,
    ``YTMUSIC_*``, ``APPLE_MUSIC_*``, ``MATCH_*``, ``DEEZER_MATCH_BUDGET_SECONDS``)."""

    spotify_embed_base: str
    spotify_page_reading: bool
    ytmusic_api_base: str
    ytmusic_reading: bool
    apple_music_base: str
    apple_music_reading: bool
    deezer_api_base: str
    concurrency: int
    match_cache_seconds: float
    #: What an answer waits for matches its features do not need (the bot only).
    match_budget_seconds: float


@dataclass(frozen=True, slots=True)
class FeatureSettings:
    """Which feature providers run in which order, ReccoBeats, and preview audio analysis."""

    providers: tuple[str, ...]
    concurrency: int
    reccobeats_api_base: str
    preview_hosts: tuple[str, ...]
    preview_max_bytes: int
    preview_timeout_seconds: float
    #: Preview-analysis processes; 0 = one per CPU core.
    audio_workers: int
    preview_retry_seconds: float


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    """What shapes an analysis and its inputs: k range, seed, metadata weight, reuse, uploads."""

    k_min: int
    k_max: int
    random_state: int
    metadata_weight: float
    freshness_seconds: float
    csv_max_rows: int
    csv_max_bytes: int


@dataclass(frozen=True, slots=True)
class StorageSettings:
    """The database (file or PostgreSQL URL), the cache's size bound and how long message
    states are kept."""

    database_path: Path
    cache_max_bytes: int
    message_retention_seconds: float
    #: ``DATABASE_URL``: empty for the SQLite file, else a ``postgresql://`` URL (a secret).
    database_url: str = field(default="", repr=False)

    @property
    def location(self) -> str | Path:
        """What :func:`storage.open_database` opens: the URL if set, else the file."""
        return self.database_url or self.database_path


@dataclass(frozen=True, slots=True)
class AccountSettings:
    """Members' own Spotify accounts: the public callback, the token key, the server."""

    spotify: SpotifySettings
    public_url: str
    token_encryption_key: str = field(repr=False)
    oauth_bind_host: str
    oauth_port: int
    liked_cache_seconds: float
