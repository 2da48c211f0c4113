"""The CSV reader: both Exportify header styles, plain CSVs, skips and limits."""

from __future__ import annotations

import contextlib
import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import CsvError, InputTooLarge
from bot.sources.csvfile import parse_playlist_csv

OLD_HEADER = (
    "Track URI,Track Name,Artist URI(s),Artist Name(s),Album URI,Album Name,Album Artist URI(s),"
    "Album Artist Name(s),Album Release Date,Album Image URL,Disc Number,Track Number,"
    "Track Duration (ms),Track Preview URL,Explicit,Popularity,ISRC,Added By,Added At,"
    "Artist Genres,Danceability,Energy,Key,Loudness,Mode,Speechiness,Acousticness,"
    "Instrumentalness,Liveness,Valence,Tempo,Time Signature,Album Genres,Label,Copyrights"
)
NEW_HEADER = (
    "Track URI,Track Name,Album Name,Artist Name(s),Release Date,Duration (ms),Popularity,"
    "Explicit,Added By,Added At,Genres,Record Label,Danceability,Energy,Key,Loudness,Mode,"
    "Speechiness,Acousticness,Instrumentalness,Liveness,Valence,Tempo,Time Signature"
)


def parse(text: str, **kwargs: int) -> object:
    return parse_playlist_csv(text.encode("utf-8"), name="Test", ref_id="t.csv", **kwargs)


def test_old_exportify_style_reads_every_column() -> None:
    row = (
        "spotify:track:06XQvnJb53SUYmlWIhUXUi,怪物,spotify:artist:x,YOASOBI,spotify:album:y,怪物,"
        "spotify:artist:x,YOASOBI,2021-01-06,https://i.scdn.co/image/abc,1,1,205000,,false,71,"
        'JPU902100001,,2024-01-01,"j-pop,anime",0.62,0.91,11,-3.2,1,0.05,0.01,0,0.3,0.7,189.9,4,'
        "j-pop,YOASOBI,(C) 2021"
    )
    playlist = parse(OLD_HEADER + "\n" + row + "\n")
    (track,) = playlist.tracks
    assert track.title == "怪物"
    assert track.spotify_id == "06XQvnJb53SUYmlWIhUXUi"
    assert track.url == "https://open.spotify.com/track/06XQvnJb53SUYmlWIhUXUi"
    assert track.artists == ("YOASOBI",)
    assert track.label == "YOASOBI"
    assert track.release_year == 2021
    assert track.duration_ms == 205000
    assert track.explicit is False
    assert track.popularity == 71
    assert track.genres == ("j-pop", "anime")
    assert track.audio is not None and track.audio["tempo"] == pytest.approx(189.9)
    assert track.audio_provider == "csv"


def test_new_exportify_style_with_semicolon_artists() -> None:
    row = (
        "spotify:track:4I9NVCnjIRVriXfNE7VhE0,עושה לי צרות,עושה לי צרות,Eden Hason; Someone Else,"
        "2020-05-01,180000,50,true,,,pop;israeli pop,Mobile1 Music,0.7,0.6,1,-5,1,0.04,0.2,0,"
        "0.1,0.5,120,4"
    )
    (track,) = parse(NEW_HEADER + "\n" + row).tracks
    assert track.title == "עושה לי צרות"
    assert track.artists == ("Eden Hason", "Someone Else")
    assert track.label == "Mobile1 Music"
    assert track.explicit is True
    assert track.genres == ("pop", "israeli pop")
    assert track.audio is not None and track.audio["danceability"] == pytest.approx(0.7)


def test_plain_csv_with_odd_header_spelling_bom_and_semicolons() -> None:
    data = "\ufeffTRACK_name;  artist ;ENERGY\nก่อนฤดูฝน;THE TOYS;0,8\n".encode()
    playlist = parse_playlist_csv(data, name="p", ref_id="p.csv")
    (track,) = playlist.tracks
    assert track.title == "ก่อนฤดูฝน"
    assert track.artists == ("THE TOYS",)
    assert track.audio == {"energy": pytest.approx(0.8)}
    assert track.id.startswith("csv:")


def test_unusable_rows_are_skipped_and_counted() -> None:
    text = "\n".join(
        [
            "Track URI,Track Name,Artist Name(s)",
            "spotify:local:a:b:c:200,Local Song,Me",
            "spotify:local:a:b:d:200,Other Local,Me",
            ",,Nobody",
            'spotify:track:5bhDL4GgUvr5LBrpjqyrte,Lo Malo,"Aitana, Ana Guerra"',
            'spotify:track:5bhDL4GgUvr5LBrpjqyrte,Lo Malo,"Aitana, Ana Guerra"',
            ',lo malo,"aitana, ana guerra"',
            "spotify:track:2ijef6ni2amuunRoKTlgww,Sin Pijama,Becky G",
        ]
    )
    playlist = parse(text)
    assert [t.title for t in playlist.tracks] == ["Lo Malo", "Sin Pijama"]
    assert playlist.skipped == {"local file": 2, "row without a title": 1, "duplicate": 2}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty"),
        (b"   \n\n", "The file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary, not a CSV"),
        ("Track Name,Artist\nCaf\xe9,X\n".encode("latin-1"), "not UTF-8 text"),
        (b"Song,Album\nA,B\n", r"has no artist column \(such as"),
        (b"Foo,Bar\n1,2\n", "has no track-title column .* and no artist column"),
        (
            b"Track URI,Track Name,Artist\nspotify:local:x,,\n",
            r"no usable track rows \(1 local file skipped\)",
        ),
    ],
)
def test_files_that_cannot_be_used_get_a_specific_message(data: bytes, message: str) -> None:
    with pytest.raises(CsvError, match=message):
        parse_playlist_csv(data, name="x", ref_id="x.csv")


def test_missing_columns_message_names_what_was_found() -> None:
    with pytest.raises(CsvError, match=r"Columns found: 'Foo', 'Bar'"):
        parse("Foo,Bar\n1,2\n")


def test_size_and_row_limits() -> None:
    rows = "\n".join(f"Song {i},Artist" for i in range(11))
    with pytest.raises(InputTooLarge, match="more than 10 tracks"):
        parse("Title,Artist\n" + rows, max_rows=10)
    assert len(parse("Title,Artist\n" + rows, max_rows=11).tracks) == 11
    with pytest.raises(InputTooLarge, match=r"limit is 0\.0001 MB"):
        parse("Title,Artist\n" + rows, max_bytes=100)


def test_utf16_excel_export_is_read() -> None:
    data = "Title\tArtist\n白月光与朱砂痣\t大籽\n".encode("utf-16")
    (track,) = parse_playlist_csv(data, name="x", ref_id="x.csv").tracks
    assert track.title == "白月光与朱砂痣"


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1
).filter(lambda s: s.strip() != "")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(names, names), min_size=1, max_size=8))
def test_any_title_and_artist_survive_a_csv_round_trip(rows: list[tuple[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Track Name", "Artist Name(s)"])
    writer.writerows(rows)
    playlist = parse_playlist_csv(buffer.getvalue().encode(), name="x", ref_id="x.csv")
    titles = {t.title for t in playlist.tracks}
    assert titles <= {title.strip() for title, _ in rows}
    for title, _artist in rows:
        assert title.strip() in titles or playlist.skipped


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data: bytes) -> None:
    with contextlib.suppress(CsvError, InputTooLarge):
        parse_playlist_csv(data, name="x", ref_id="x.csv")
