"""The settings groups as views of the flat Settings: ``settings.http``, ``settings.spotify``, ...

Part of the composition root: :class:`GroupViews` extends the flat fields of
:mod:`bot.settings.fields` with properties that build each frozen group of
:mod:`bot.settings.groups` from the validated fields (the variables users set). A new
setting is a field in ``bot/settings/fields.py``, then a member of the group of the
layer that uses it, filled here.
"""

from __future__ import annotations

from bot.settings.fields import EnvFields
from bot.settings.groups import (
    AccountSettings,
    AnalysisSettings,
    DeezerSettings,
    FeatureSettings,
    HttpSettings,
    PublicSettings,
    SpotifySettings,
    StorageSettings,
)


class GroupViews(EnvFields):
    """The groups of a ``Settings`` (built anew on each access: they are small)."""

    @property
    def http(self) -> HttpSettings:
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
            spotify_embed_base=self.spotify_embed_base,
            spotify_embed_rate_per_second=self.spotify_embed_rate_per_second,
            ytmusic_api_base=self.ytmusic_api_base,
            ytmusic_rate_per_second=self.ytmusic_rate_per_second,
            apple_music_base=self.apple_music_base,
            apple_music_rate_per_second=self.apple_music_rate_per_second,
        )

    @property
    def public(self) -> PublicSettings:
        return PublicSettings(
            spotify_embed_base=self.spotify_embed_base,
            spotify_page_reading=self.spotify_page_reading,
            ytmusic_api_base=self.ytmusic_api_base,
            ytmusic_reading=self.ytmusic_reading,
            apple_music_base=self.apple_music_base,
            apple_music_reading=self.apple_music_reading,
            deezer_api_base=self.deezer_api_base,
            concurrency=self.http_concurrency,
            match_cache_seconds=self.match_cache_days * 86_400,
            match_budget_seconds=self.deezer_match_budget_seconds,
        )

    @property
    def spotify(self) -> SpotifySettings:
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
    def deezer(self) -> DeezerSettings:
        return DeezerSettings(
            api_base=self.deezer_api_base,
            concurrency=self.http_concurrency,
            max_tracks=self.playlist_max_tracks,
            track_budget_seconds=self.deezer_track_budget_seconds,
        )

    @property
    def features(self) -> FeatureSettings:
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
    def analysis(self) -> AnalysisSettings:
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
    def storage(self) -> StorageSettings:
        return StorageSettings(
            database_path=self.database_path,
            database_url=self.database_url.get_secret_value(),
            cache_max_bytes=self.cache_max_bytes,
            message_retention_seconds=self.message_retention_days * 86_400,
        )

    @property
    def accounts(self) -> AccountSettings:
        return AccountSettings(
            spotify=self.spotify,
            public_url=self.public_url,
            token_encryption_key=self.token_encryption_key.get_secret_value(),
            oauth_bind_host=self.oauth_bind_host,
            oauth_port=self.oauth_port,
            liked_cache_seconds=self.liked_cache_seconds,
        )
