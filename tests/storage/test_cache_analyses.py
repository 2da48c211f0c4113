"""Cached analyses: stored once, back whole, keyed by snapshot + options + versions."""

from __future__ import annotations

import dataclasses

import pytest

from bot.model import Analysis, AnalysisOptions, analysis_key
from bot.render.document import to_document
from storage.codec import (
    UnknownFormat,
    _pack,
    decode_analysis,
    decode_playlist,
    encode_analysis,
    encode_playlist,
    encode_tracks,
)
from storage.database import Database
from tests.storage.conftest import Location
from tests.storage.helpers import analyse, sample_playlist, synthetic_playlist


def _same(a: Analysis, b: Analysis) -> None:
    assert to_document(a) == to_document(b)
    assert a.png == b.png
    assert [t.preview_url for t in a.playlist.tracks] == [t.preview_url for t in b.playlist.tracks]
    assert b.points.shape == a.points.shape and (b.points == a.points).all()
    # one Track object per track, shared by the playlist and its cluster
    shared = {id(t) for t in b.playlist.tracks}
    assert all(id(t) in shared for c in b.clusters for t in c.tracks)


async def test_the_sample_analysis_comes_back_whole_after_a_restart(
    location: Location, sample_analysis: Analysis
) -> None:
    key = analysis_key(sample_analysis.playlist, sample_analysis.options)
    async with await Database.open(location) as db:
        assert await db.cache.get_analysis(key) is None
        await db.cache.put_analysis(key, sample_analysis)
    async with await Database.open(location) as db:
        assert await db.cache.has_analysis(key)
        cached = await db.cache.get_analysis(key)
    assert cached is not None
    assert sample_analysis.png.startswith(b"\x89PNG")
    _same(sample_analysis, cached)


async def test_titles_in_every_script_survive_byte_for_byte(db: Database) -> None:
    analysis = analyse(synthetic_playlist(40, seed=3), k=3, png=False)
    await db.cache.put_analysis("k", analysis)
    cached = await db.cache.get_analysis("k")
    assert cached is not None
    _same(analysis, cached)
    assert [t.title.encode() for t in cached.playlist.tracks] == [
        t.title.encode() for t in analysis.playlist.tracks
    ]


async def test_putting_under_the_same_key_replaces(db: Database) -> None:
    first = analyse(synthetic_playlist(20, seed=1), png=False)
    second = analyse(synthetic_playlist(30, seed=2), png=False)
    await db.cache.put_analysis("same", first)
    await db.cache.put_analysis("same", second)
    cached = await db.cache.get_analysis("same")
    assert cached is not None and cached.track_count == 30
    stats = await db.cache.stats()
    assert stats.analyses == 1


def test_the_key_follows_snapshot_options_and_name() -> None:
    playlist = synthetic_playlist(10)
    base = analysis_key(playlist, AnalysisOptions())
    assert base == analysis_key(synthetic_playlist(10), AnalysisOptions())
    assert len(base) == 32 and int(base, 16) >= 0
    changed = [
        analysis_key(dataclasses.replace(playlist, snapshot="other"), AnalysisOptions()),
        analysis_key(dataclasses.replace(playlist, name="Renamed"), AnalysisOptions()),
        analysis_key(playlist, AnalysisOptions(k=3)),
        analysis_key(playlist, AnalysisOptions(metadata_weight=0.25)),
    ]
    assert len({base, *changed}) == 5


async def test_a_variant_is_served_only_to_who_asks_for_it_or_for_any(db: Database) -> None:
    analysis = analyse(synthetic_playlist(12), png=False)
    await db.cache.put_analysis("k", analysis, variant="providers=spotify")
    assert await db.cache.get_analysis("k", variant="providers=deezer") is None
    assert await db.cache.get_analysis("k", variant="providers=spotify") is not None
    assert await db.cache.get_analysis("k") is not None


def test_tracks_written_by_an_older_track_shape_are_read_by_name() -> None:
    playlist = sample_playlist()
    part, sections = encode_tracks(playlist.tracks[:3])
    # as an older Track would have written it: no 'album_id', and a field since removed
    del part["columns"]["album_id"]
    part["columns"]["retired"] = ["x", "y", "z"]
    header = {"playlist": {"source": "csv", "id": "x", "name": "Old", "snapshot": "s"}}
    back = decode_playlist(_pack({**header, "tracks": part}, sections)).tracks
    assert [t.title for t in back] == [t.title for t in playlist.tracks[:3]]
    assert [t.audio for t in back] == [t.audio for t in playlist.tracks[:3]]
    assert all(t.album_id == "" for t in back)
    assert back[0].artists == playlist.tracks[0].artists


def test_feature_dicts_with_gaps_and_absent_ones_come_back_as_they_were() -> None:
    playlist = synthetic_playlist(6)
    playlist.tracks[0].audio = None
    playlist.tracks[1].audio = {"energy": 0.25}  # fewer keys than the others
    playlist.tracks[2].audio = {}
    playlist.tracks[3].preview_features = {"mfcc_1": -120.5, "tempo": 128}
    playlist.tracks[4].preview_features = {"label": "not a number"}  # stays as it is
    back = decode_playlist(encode_playlist(playlist))
    assert back == playlist


def test_a_blob_that_is_not_ours_reads_as_unknown() -> None:
    with pytest.raises(UnknownFormat):
        decode_playlist(b"not zstd at all")


def test_what_was_read_and_matched_comes_back_from_the_cache() -> None:
    playlist = synthetic_playlist(4)
    playlist.listed, playlist.matched = 312, 3
    playlist.origin = "Spotify's public embed page"
    playlist.limit_note = "100 of 312 tracks: Spotify shows apps without access only the first 100."
    playlist.tracks[0].deezer_id = "3135556"
    back = decode_playlist(encode_playlist(playlist))
    assert (back.listed, back.matched, back.origin, back.limit_note) == (
        312,
        3,
        playlist.origin,
        playlist.limit_note,
    )
    assert back.tracks[0].deezer_id == "3135556" and back.tracks[1].deezer_id is None
    analysis = analyse(playlist)
    doc_back = decode_analysis(encode_analysis(analysis)).playlist
    assert doc_back.listed == 312 and doc_back.matched == 3
