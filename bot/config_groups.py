"""The settings groups as views of the flat Settings: ``settings.http``, ``settings.spotify``, ...

Part of the composition root: :class:`GroupViews` is a base of ``bot.config.Settings``
and builds each frozen group of :mod:`bot.settings_groups` from the flat, validated
fields (the variables users set), so ``bot/config.py`` keeps one field per variable
and a new setting is added there, then to the group of the layer that uses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.settings_groups import (
    AccountSettings,
    AnalysisSettings,
    DeezerSettings,
    FeatureSettings,
    HttpSettings,
    SpotifySettings,
    StorageSettings,
)

if TYPE_CHECKING:
    from bot.config import Settings


class GroupViews:
    """The groups of a ``Settings`` (built anew on each access: they are small)."""

    @property
    def http(self: Settings) -> HttpSettings:
        return HttpSettings(
            timeout_seconds=self.http_timeout_seconds,
            max_retries=self.http_max_retries,
            max_retry_after_seconds=self.http_max_retry_after_seconds,
            concurrency=self.http_concurrency,
            spotify_api_base=self.spotify_api_base,
            spotify_token_url=self.spotify_token_url,
            spotify_rate_per_second=self.spotify_rate_per_second,
            reccobeats_api_base=self.reccobeats_api_base,
            reccobeats_rate_per_second=self.reccobeats_rate_per_second,
            deezer_api_base=self.deezer_api_base,
            deezer_rate_per_5s=self.deezer_rate_per_5s,
        )

    @property
    def spotify(self: Settings) -> SpotifySettings:
        return SpotifySettings(
            api_base=self.spotify_api_base,
            token_url=self.spotify_token_url,
            authorize_url=self.spotify_authorize_url,
            client_id=self.spotify_client_id,
            client_secret=self.spotify_client_secret.get_secret_value(),
            concurrency=self.http_concurrency,
            max_tracks=self.playlist_max_tracks,
        )

    @property
    def deezer(self: Settings) -> DeezerSettings:
        return DeezerSettings(
            api_base=self.deezer_api_base,
            concurrency=self.http_concurrency,
            max_tracks=self.playlist_max_tracks,
            track_budget_seconds=self.deezer_track_budget_seconds,
        )

    @property
    def features(self: Settings) -> FeatureSettings:
        return FeatureSettings(
            providers=tuple(name.casefold() for name in self.feature_providers),
            concurrency=self.http_concurrency,
            reccobeats_api_base=self.reccobeats_api_base,
            preview_hosts=tuple(self.preview_hosts),
            preview_max_bytes=self.preview_max_bytes,
            preview_timeout_seconds=self.http_timeout_seconds,
            audio_workers=self.audio_workers,
            preview_retry_seconds=self.preview_retry_hours * 3600,
        )

    @property
    def analysis(self: Settings) -> AnalysisSettings:
        return AnalysisSettings(
            k_min=self.k_min,
            k_max=self.k_max,
            random_state=self.random_state,
            metadata_weight=self.metadata_weight,
            freshness_seconds=self.freshness_seconds,
            csv_max_rows=self.csv_max_rows,
            csv_max_bytes=self.csv_max_bytes,
        )

    @property
    def storage(self: Settings) -> StorageSettings:
        return StorageSettings(
            database_path=self.database_path,
            database_url=self.database_url.get_secret_value(),
            cache_max_bytes=self.cache_max_bytes,
            message_retention_seconds=self.message_retention_days * 86_400,
        )

    @property
    def accounts(self: Settings) -> AccountSettings:
        return AccountSettings(
            spotify=self.spotify,
            public_url=self.public_url,
            token_encryption_key=self.token_encryption_key.get_secret_value(),
            oauth_bind_host=self.oauth_bind_host,
            oauth_port=self.oauth_port,
            liked_cache_seconds=self.liked_cache_seconds,
        )
