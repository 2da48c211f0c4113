"""Builds the pipeline from settings: sources, feature providers in order, and input loading.

The one place that knows which classes serve which names, used by the CLI and the bot:
``build_pipeline`` gives a :class:`~bot.pipeline.runner.Pipeline` with the Spotify and Deezer
sources and the feature providers in ``FEATURE_PROVIDERS`` order; ``load_source`` turns
what a user typed (a CSV path or a link) into a Playlist or a PlaylistRef.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bot.features import ClosableProvider, FeatureProvider
from bot.features.audio import PreviewAudioProvider
from bot.features.cache import FeatureCache
from bot.features.deezer import DeezerFeatures
from bot.features.reccobeats import ReccoBeatsFeatures
from bot.features.spotify import SpotifyFeatures
from bot.files.reader import read_csv_source
from bot.model import Playlist, PlaylistRef
from bot.net.client import HttpClient
from bot.net.links import resolve_link
from bot.net.spotify_auth import SpotifyAuth
from bot.pipeline.runner import Pipeline
from bot.settings.env import Settings
from bot.sources.apple_music import AppleMusicSource
from bot.sources.deezer import DeezerSource
from bot.sources.deezer_match import DeezerMatcher
from bot.sources.spotify import SpotifySource
from bot.sources.spotify_page import SpotifyPageSource
from bot.sources.ytmusic import YTMusicSource

if TYPE_CHECKING:
    from storage.cache import CacheRepository

log = logging.getLogger(__name__)

KNOWN_PROVIDERS = ("spotify", "reccobeats", "deezer", "preview")


def build_providers(
    settings: Settings,
    http: HttpClient,
    auth: SpotifyAuth,
    cache: FeatureCache | None = None,
    *,
    background: bool = False,
) -> list[FeatureProvider]:
    """Feature providers in ``FEATURE_PROVIDERS`` order, plus preview analysis.

    The preview-audio provider runs where ``preview`` is listed, else just before
    ``deezer`` (else last): Deezer's tempo/loudness is the last resort for tracks that
    neither a Spotify-scale provider nor preview analysis covered. Run after it instead,
    Deezer's two columns would cover a Deezer playlist and preview analysis (which
    stands aside when provider features cover most tracks) would never run.
    ``background`` (the bot, which keeps running) lets lookups past Deezer's time
    budget go on into the feature cache.
    """
    features = settings.features
    names = list(features.providers)
    if "preview" not in names:
        names.insert(names.index("deezer") if "deezer" in names else len(names), "preview")
    providers: list[FeatureProvider] = []
    for name in dict.fromkeys(names):
        if name == "spotify":
            providers.append(SpotifyFeatures.from_settings(settings.spotify, auth, cache))
        elif name == "reccobeats":
            providers.append(ReccoBeatsFeatures.from_settings(features, http, cache))
        elif name == "deezer":
            providers.append(
                DeezerFeatures.from_settings(settings.deezer, http, cache, background=background)
            )
        elif name == "preview":
            # downloads through the shared session
            providers.append(PreviewAudioProvider.from_settings(features, http, cache))
        else:
            log.warning(
                "unknown feature provider %r in FEATURE_PROVIDERS (known: %s)",
                name,
                ", ".join(KNOWN_PROVIDERS),
            )
    return providers


def build_pipeline(
    settings: Settings,
    http: HttpClient,
    cache: CacheRepository | None = None,
    *,
    background: bool = False,
) -> Pipeline:
    """The pipeline with the Spotify and Deezer sources and the configured providers.

    ``cache`` (storage's ``CacheRepository``; None: nothing cached) serves the
    providers as their feature cache and the pipeline as its playlist/analysis cache.
    ``background``: lookups that do not fit an answer's time budget go on into the
    cache (the bot); without it Deezer's tempo lookups stop there and the Deezer
    matcher waits for every match (the CLI, which exits and writes all of it).
    """
    auth = SpotifyAuth.from_settings(settings.spotify, http)
    if not auth.configured:
        log.info("no Spotify credentials: Spotify links are read from the public page")
    analysis = settings.analysis
    public = settings.public
    matcher = DeezerMatcher(
        http,
        api_base=public.deezer_api_base,
        concurrency=public.concurrency,
        cache=cache,
        max_age_seconds=public.match_cache_seconds,
        budget=public.match_budget_seconds,
        background=background,
    )
    page = SpotifyPageSource(
        http,
        embed_base=public.spotify_embed_base,
        enabled=public.spotify_page_reading,
        matcher=matcher,
    )
    return Pipeline(
        sources={
            "spotify": SpotifySource.from_settings(settings.spotify, auth, page),
            "deezer": DeezerSource.from_settings(settings.deezer, http),
            "ytmusic": YTMusicSource(
                http,
                api_base=public.ytmusic_api_base,
                enabled=public.ytmusic_reading,
                max_tracks=settings.deezer.max_tracks,
                matcher=matcher,
            ),
            "apple": AppleMusicSource(
                http,
                base=public.apple_music_base,
                enabled=public.apple_music_reading,
                matcher=matcher,
            ),
        },
        providers=build_providers(settings, http, auth, cache, background=background),
        k_min=analysis.k_min,
        k_max=analysis.k_max,
        random_state=analysis.random_state,
        concurrency=settings.features.concurrency,
        cache=cache,
        freshness_seconds=analysis.freshness_seconds,
    )


async def close_providers(pipeline: Pipeline) -> None:
    """Release what the pipeline's providers hold (the preview provider's process pool),
    and stop the sources' background Deezer matching (before the cache closes)."""
    for provider in pipeline.providers:
        if isinstance(provider, ClosableProvider):
            await provider.aclose()
    matchers = {id(m): m for s in pipeline.sources.values() if (m := getattr(s, "matcher", None))}
    for matcher in matchers.values():
        if isinstance(matcher, DeezerMatcher):
            await matcher.aclose()


def _read_if_file(text: str, settings: Settings) -> Playlist | None:
    """The CSV playlist when ``text`` names a file (blocking: run it in a thread).

    Only a regular file is read, and never more than ``CSV_MAX_BYTES`` of it
    (:mod:`bot.files.reader`).
    """
    limits = settings.analysis
    return read_csv_source(text, max_rows=limits.csv_max_rows, max_bytes=limits.csv_max_bytes)


async def load_source(text: str, settings: Settings, http: HttpClient) -> Playlist | PlaylistRef:
    """A CSV file read into a Playlist, or a link resolved to a PlaylistRef (BadLink if neither)."""
    playlist = await asyncio.to_thread(_read_if_file, text, settings)
    if playlist is not None:
        return playlist
    return await resolve_link(text, http)


def warm_up_analysis() -> None:
    """Import what clustering and drawing need (scikit-learn, scipy, matplotlib: about a
    second of CPU), meant for a worker thread started as a fetch begins: the command
    line's one analysis then finds them loaded instead of importing them after the
    last page. A failure is left for the real import to report."""
    try:
        import scipy.stats  # noqa: F401

        import bot.pipeline.compute  # noqa: F401
    except Exception:
        log.debug("warming up the analysis imports failed", exc_info=True)
