"""Exports of a cluster: CSV round trip through the real reader, M3U lines, XSPF XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from bot.features.deezer import track_key as deezer_track_key
from bot.render.export import export_csv, export_files, export_m3u, export_stem, export_xspf
from bot.sources.csvfile import parse_playlist_csv
from tests.storage.helpers import synthetic_playlist

HOSTILE = 'Line\nbreak\r\n =SUM(A1) <b>&amp;</b> "quoted" \x00\x07 夜に駆ける 🎧 שלום'


def test_csv_round_trips_every_field_through_the_real_reader() -> None:
    playlist = synthetic_playlist(40, seed=3)
    playlist.tracks[0].title = HOSTILE
    playlist.tracks[1].artists = ("Tyler, The Creator", "Kali Uchis")
    playlist.tracks[2].audio = None
    back = parse_playlist_csv(export_csv(playlist.tracks), name="x", ref_id="x").tracks
    assert len(back) == 40
    for old, new in zip(playlist.tracks, back, strict=True):
        assert new.id == old.id and new.title == old.title.replace("\x00", "").strip()
        assert new.artists == old.artists and new.album == old.album and new.label == old.label
        assert new.url == old.url and new.liked == old.liked
        assert new.release_year == old.release_year and new.duration_ms == old.duration_ms
        assert new.genres == old.genres
        if old.audio is None:
            assert new.audio == {}  # marked "none": the providers are not asked again
        else:
            assert new.audio == pytest.approx(old.audio)


def test_a_track_without_sound_features_comes_back_marked_so_no_provider_is_asked() -> None:
    playlist = synthetic_playlist(3, seed=1)
    playlist.tracks[1].audio = None
    playlist.tracks[1].isrc = "USRC17607839"
    text = export_csv(playlist.tracks).decode("utf-8")
    assert text.splitlines()[0].endswith(",Sound Features")
    back = parse_playlist_csv(text.encode("utf-8"), name="x", ref_id="x").tracks
    assert back[1].audio == {} and back[0].audio and back[2].audio
    # every provider skips a track whose audio is known to be empty
    assert deezer_track_key(back[1]) is None
    # a file of our own with blank cells and no mark still asks (the old behaviour)
    unmarked = text.replace(",none\r\n", ",\r\n")
    again = parse_playlist_csv(unmarked.encode("utf-8"), name="x", ref_id="x").tracks
    assert again[1].audio is None


def test_csv_header_starts_with_exportifys() -> None:
    header = export_csv([]).decode("utf-8").splitlines()[0]
    assert header.startswith(
        "Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,"
        "Explicit,Added By,Added At,Genres,Record Label,Danceability,Energy,Key,Loudness,Mode,"
        "Speechiness,Acousticness,Instrumentalness,Liveness,Valence,Tempo,Time Signature"
    )


def test_m3u_has_one_entry_per_linked_track_and_no_injected_lines() -> None:
    playlist = synthetic_playlist(3)
    playlist.tracks[0].title = HOSTILE
    playlist.tracks[2].url = ""
    lines = export_m3u("Mix\n#EXTINF:0,evil", playlist.tracks).decode("utf-8").splitlines()
    assert lines[0] == "#EXTM3U"
    assert lines[1] == "#PLAYLIST:Mix #EXTINF:0,evil"
    assert len(lines) == 2 + 2 * 2  # the track without a link is left out
    assert lines[2].startswith("#EXTINF:180,Artist 0, Guest ✨ - Line break")
    assert "夜に駆ける 🎧 שלום" in lines[2]
    assert lines[3] == playlist.tracks[0].url


def test_xspf_is_well_formed_xml_with_every_script_intact() -> None:
    playlist = synthetic_playlist(6)
    playlist.tracks[0].title = HOSTILE
    data = export_xspf("A & B <mix>", playlist.tracks)
    root = ET.fromstring(data)
    ns = {"x": "http://xspf.org/ns/0/"}
    assert root.find("x:title", ns).text == "A & B <mix>"
    titles = [e.text for e in root.findall("x:trackList/x:track/x:title", ns)]
    assert titles[0] == HOSTILE.replace("\x00", "").replace("\x07", "").replace("\r\n", "\n")
    assert titles[1:] == [t.title for t in playlist.tracks[1:]]
    locations = [e.text for e in root.findall("x:trackList/x:track/x:location", ns)]
    assert locations == [t.url for t in playlist.tracks]


def test_file_names_are_plain_ascii() -> None:
    assert export_stem("夜のドライブ 🚗", 3) == "cluster-3"
    assert export_stem("Café del Mar / Vol. 2", 1) == "cafe-del-mar-vol-2-cluster-1"
    assert sorted(export_files("../../etc", 2, [])) == [
        "etc-cluster-2.csv",
        "etc-cluster-2.m3u8",
        "etc-cluster-2.xspf",
    ]
