"""Exports laid out as real exporters write them (tests/data/exports/README.md) parse completely."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bot.sources.csvfile import parse_playlist_csv

EXPORTS = Path(__file__).parent.parent / "data" / "exports"

#: file -> (data rows, tracks, skipped by reason)
EXPECTED = {
    "exportify_net_track_uri.csv": (6, 6, {}),
    "exportify_net_comma_channel_tres.csv": (29, 29, {}),
    "exportify_net_comma_dad_pattis.csv": (59, 59, {}),
    "exportify_net_comma_vivs_party.csv": (50, 50, {}),
    "exportify_net_semicolon_awesome_mix.csv": (44, 44, {}),
    "exportify_spotify_id_artist_ids.csv": (9, 8, {"duplicate": 1}),
    "exportify_track_id.csv": (4, 4, {}),
    "exportify_watsonbox_de.csv": (9, 7, {"local file": 1, "duplicate": 1}),
    "exportify_watsonbox_ja.csv": (3, 3, {}),
}


def load(name: str):
    return parse_playlist_csv((EXPORTS / name).read_bytes(), name=name, ref_id=name)


def data_rows(name: str) -> int:
    text = (EXPORTS / name).read_text("utf-8-sig")
    return sum(1 for row in csv.reader(io.StringIO(text)) if any(row)) - 1


def test_every_fixture_is_listed() -> None:
    assert {p.name for p in EXPORTS.glob("*.csv")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_row_becomes_a_track_or_is_counted(name: str) -> None:
    rows, tracks, skipped = EXPECTED[name]
    playlist = load(name)
    assert data_rows(name) == rows
    assert len(playlist.tracks) == tracks
    assert playlist.skipped == skipped
    assert len(playlist.tracks) + sum(playlist.skipped.values()) == rows
    for track in playlist.tracks:
        assert track.title and track.artists
        assert (
            track.spotify_id and track.url == f"https://open.spotify.com/track/{track.spotify_id}"
        )
        assert track.duration_ms and 20_000 < track.duration_ms < 1_800_000  # ms, not s


def test_german_exportify_export_reads_every_column() -> None:
    tracks = {t.title: t for t in load("exportify_watsonbox_de.csv").tracks}
    assert tracks["September"].artists == ("Earth, Wind & Fire",)
    assert tracks["EARFQUAKE"].artists == ("Tyler, The Creator",)
    assert tracks["EARFQUAKE"].explicit is True
    assert tracks["Despacito"].artists == ("Luis Fonsi", "Daddy Yankee")
    assert tracks["Despacito"].genres == ("latin pop", "reggaeton")
    assert tracks["Despacito"].label == "UMLE"
    assert tracks["Despacito"].audio is not None
    assert tracks["Despacito"].audio["tempo"] == pytest.approx(177.928)
    assert tracks["Despacito"].audio["danceability"] == pytest.approx(0.655)
    assert tracks["Time After Time"].release_year is None  # "0000"
    assert tracks["Yellow"].release_year == 2000
    assert tracks["Yellow"].image.startswith("https://i.scdn.co/image/")


def test_japanese_export_with_bom() -> None:
    tracks = load("exportify_watsonbox_ja.csv").tracks
    assert [t.title for t in tracks] == ["怪物", "夜に駆ける", "Lemon"]
    assert tracks[2].artists == ("米津玄師",)
    assert tracks[0].genres == ("j-pop", "anime")
    assert tracks[0].audio is None


def test_artist_ids_count_the_artists_of_comma_joined_names() -> None:
    tracks = {t.id: t for t in load("exportify_spotify_id_artist_ids.csv").tracks}
    assert tracks["5hVghJ4KaYES3BFUATCYn0"].artists == ("Tyler, The Creator",)
    assert tracks["4KULAymBBJcPRpk1yO4dOG"].artists == ("Tyler, The Creator", "Kali Uchis")
    assert tracks["778GQ3Md4lKITSgMPdHU1l"].artists == ("The Tyets", "Juan Magán")
    assert tracks["0rmUYtY05iEgbOoeWgxL0t"].title == "Amics, Tiets i Coneguts"


def test_track_id_layout_links_every_row() -> None:
    tracks = load("exportify_track_id.csv").tracks
    assert tracks[0].spotify_id == "5Phy3qS90Q5I8DGcTxmSIL"
    assert tracks[0].audio is not None and tracks[0].audio_provider == "csv"
    assert [t.release_year for t in tracks] == [1990, 1982, 2000, None]


def test_exportify_net_layout_with_semicolon_artists_and_escaped_quotes() -> None:
    tracks = load("exportify_net_track_uri.csv").tracks
    assert tracks[1].artists == ("Bluey", "Joff Bush", "Jazz D'Arcy")
    assert tracks[5].title == 'Main Theme (From "Bluey") - Trap Remix'
    assert tracks[5].genres == ()


async def test_bare_ids_of_an_export_get_features_looked_up(fake_settings, http, fake_reccobeats):
    from bot.features.reccobeats import ReccoBeatsFeatures

    playlist = load("exportify_spotify_id_artist_ids.csv")
    assert all(t.audio is None for t in playlist.tracks)
    known = {
        t.spotify_id: {"energy": 0.5 + i / 100, "tempo": 100.0 + i}
        for i, t in enumerate(playlist.tracks)
    }
    fake_reccobeats.features.update(known)
    features = ReccoBeatsFeatures.from_settings(fake_settings.features, http)
    assert await features.enrich(playlist.tracks) == len(playlist.tracks)
    for track in playlist.tracks:
        assert track.audio_provider == "reccobeats"
        assert track.audio is not None
        assert track.audio["tempo"] == known[track.spotify_id]["tempo"]


# -- real published exportify.net exports (copied byte for byte; see the README) --------


def artists_of(name: str) -> dict[str, tuple[str, ...]]:
    return {t.title: t.artists for t in load(name).tracks}


def test_comma_joined_exports_keep_names_with_a_comma_and_a_space_whole() -> None:
    """exportify.net until July 2025: artists joined with "," and no space."""
    tres = artists_of("exportify_net_comma_channel_tres.csv")
    assert tres["fuego (feat. Tyler, The Creator)"] == ("Channel Tres", "Tyler, The Creator")
    assert tres["take your time (feat. Tinashe)"] == ("Channel Tres", "Tinashe")
    party = artists_of("exportify_net_comma_vivs_party.csv")
    assert party["September"] == ("Earth, Wind & Fire",)
    dad = artists_of("exportify_net_comma_dad_pattis.csv")
    assert ("Hank Williams, Jr.",) in dad.values()
    assert sum(len(a) > 1 for a in dad.values()) == 11  # every joined row still splits


def test_semicolon_joined_export_keeps_a_name_with_a_comma_whole() -> None:
    """exportify.net since July 2025: ";" between artists, so every comma is a name's."""
    mix = artists_of("exportify_net_semicolon_awesome_mix.csv")
    assert mix["Reasons"] == ("Earth, Wind & Fire",)
    assert sum(len(a) > 1 for a in mix.values()) == 3
    assert all(a and all(";" not in n for n in a) for a in mix.values())


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if n.startswith("exportify_net_")))
def test_no_real_exportify_net_export_splits_a_name_at_its_comma(name: str) -> None:
    """No artist of these files starts with a space or is a bare suffix ("Jr.")."""
    for artists in artists_of(name).values():
        for artist in artists:
            assert artist == artist.strip() and artist not in ("Jr.", "The Creator", "Wind & Fire")
