"""The CSV reader on what real exports and hand-edited files look like (issue 10):
every Exportify language, Track ID, artist id columns, odd dates and durations, BPM
headers, broken quotes, NUL bytes and UTF-32."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import CsvError
from bot.sources.csv_headers import exportify_headers
from bot.sources.csvfile import parse_playlist_csv
from tests.sources.test_csvfile import names, parse

EXPORTIFY_LANGUAGES = sorted(exportify_headers())


@pytest.mark.parametrize("language", EXPORTIFY_LANGUAGES)
def test_every_exportify_language_reads_like_english(language: str) -> None:
    names = exportify_headers()[language]
    keys = [
        "track_uri",
        "track_name",
        "artist_uris",
        "artist_names",
        "album_name",
        "album_release_date",
        "track_duration",
        "popularity",
        "label",
        "tempo",
        "energy",
    ]
    row = [
        "spotify:track:0FCIBaqNJeRFgQeStD9pxf",
        "September",
        "spotify:artist:4QQgXkCYTt3BlENzhyNETg",
        "Earth\\, Wind & Fire",
        "The Best Of",
        "1978-11-23",
        "215093",
        "79",
        "Columbia",
        "125.9",
        "0.81",
    ]
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[names[k] for k in keys], row])
    (track,) = parse(buffer.getvalue()).tracks
    assert track.spotify_id == "0FCIBaqNJeRFgQeStD9pxf"
    assert track.artists == ("Earth, Wind & Fire",)
    assert (track.album, track.release_year, track.duration_ms) == ("The Best Of", 1978, 215093)
    assert (track.popularity, track.label) == (79, "Columbia")
    assert track.audio == {"tempo": pytest.approx(125.9), "energy": pytest.approx(0.81)}


def test_a_bare_track_id_is_a_spotify_id_only_when_it_has_the_shape() -> None:
    text = "Track ID,Track Name,Artist Name(s)\n5Phy3qS90Q5I8DGcTxmSIL,A,X\n12345,B,Y\n"
    first, second = parse(text).tracks
    assert first.spotify_id == "5Phy3qS90Q5I8DGcTxmSIL"
    assert first.url == "https://open.spotify.com/track/5Phy3qS90Q5I8DGcTxmSIL"
    assert second.spotify_id is None and second.url == "" and second.id == "12345"


@pytest.mark.parametrize(
    ("names", "ids", "expected"),
    [
        ("Earth, Wind & Fire", "spotify:artist:4QQgXkCYTt3BlENzhyNETg", ("Earth, Wind & Fire",)),
        (
            "Tyler, The Creator, Kali Uchis",
            "spotify:artist:4V8LLVI7PbaPR0K2TGSxFF, spotify:artist:1U1el3k54VvEUzo3ybLPlM",
            ("Tyler, The Creator", "Kali Uchis"),
        ),
        (
            "Earth, Wind & Fire, The Emotions",
            "4QQgXkCYTt3BlENzhyNETg,1U1el3k54VvEUzo3ybLPlM",
            ("Earth, Wind & Fire", "The Emotions"),
        ),
        (
            "Luis Fonsi, Daddy Yankee",
            "4V8YXjzs5ycBxEaWZDM1Vk, 4VMYDCV2IEDYJArk749S6m",
            ("Luis Fonsi", "Daddy Yankee"),
        ),
        ("A, B", "", ("A", "B")),
    ],
)
def test_artist_id_column_decides_how_many_artists(names: str, ids: str, expected: tuple) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [["Track Name", "Artist Name(s)", "Artist URI(s)"], ["T", names, ids]]
    )
    (track,) = parse(buffer.getvalue()).tracks
    assert track.artists == expected


@pytest.mark.parametrize(
    ("date", "year"),
    [
        ("0000", None),
        ("0000-00-00", None),
        ("1066-10-14", None),
        ("2999", None),
        ("1859", None),
        ("1860", 1860),
        ("1999-12-31", 1999),
        ("15.03.2021", 2021),
        ("", None),
    ],
)
def test_impossible_release_dates_are_unknown(date: str, year: int | None) -> None:
    (track,) = parse(f"Title,Artist,Release Date\nT,A,{date}\n").tracks
    assert track.release_year == year


@pytest.mark.parametrize(
    ("header", "value", "ms"),
    [
        ("Duration", "3:45", 225_000),
        ("Length", "1:02:03", 3_723_000),
        ("Duration", "245", 245_000),
        ("Duration", "245000", 245_000),
        ("Duration (ms)", "245000", 245_000),
        ("Track Duration (ms)", "4:05", 245_000),
        ("Duration", "abc", None),
        ("Duration", "-5", None),
        ("Duration (ms)", "0", None),
        ("Duration", "0:00", None),
        ("Duration (ms)", "1e20", None),
        ("Time", "03:07.5", 187_000),
    ],
)
def test_durations_in_any_common_form(header: str, value: str, ms: int | None) -> None:
    (track,) = parse(f"Title,Artist,{header}\nT,A,{value}\n").tracks
    assert track.duration_ms == ms


@pytest.mark.parametrize(
    "header", ["BPM", "Tempo (BPM)", "bpm", "Tempo", "BEATS PER MINUTE", "テンポ", "速度", "Ρυθμός"]
)
def test_tempo_under_other_headers(header: str) -> None:
    (track,) = parse(f"Title,Artist,{header}\nT,A,128\n").tracks
    assert track.audio == {"tempo": 128.0}


def test_an_unclosed_quote_costs_one_row_and_is_said() -> None:
    text = 'Track Name,Artist Name(s)\nOne,A\n"Two,B\nThree,C\n"Four","D"\nFive,E\n'
    playlist = parse(text)
    assert [t.title for t in playlist.tracks] == ["One", "Three", "Four", "Five"]
    assert playlist.skipped == {"row with broken quotes": 1}


def test_an_unclosed_quote_at_the_end_does_not_swallow_the_rest() -> None:
    rows = [f"Song {i},Artist {i}" for i in range(50)]
    rows[10] = '"Song 10,Artist 10'
    playlist = parse("Title,Artist\n" + "\n".join(rows) + "\n")
    assert len(playlist.tracks) == 49
    assert playlist.skipped == {"row with broken quotes": 1}


def test_many_broken_quotes_refuse_the_file() -> None:
    rows = "\n".join(f'"Song {i},Artist' for i in range(100))
    with pytest.raises(CsvError, match="rows whose quotes do not close"):
        parse("Title,Artist\n" + rows)


def test_quoted_fields_with_newlines_and_commas_are_kept() -> None:
    (track,) = parse('Title,Artist\n"Line one,\nline two",A\n').tracks
    assert track.title == "Line one,\nline two"


def test_nul_anywhere_is_refused() -> None:
    data = b"Title,Artist\n" + b"Song,Artist\n" * 600 + b"Bad\x00Song,X\n"
    with pytest.raises(CsvError, match=r"NUL character \(line 602\)"):
        parse_playlist_csv(data, name="x", ref_id="x.csv")


@pytest.mark.parametrize("codec", ["utf-32", "utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"])
def test_utf32_and_utf16_with_a_bom(codec: str) -> None:
    bom = {
        "utf-32-le": "\ufeff",
        "utf-32-be": "\ufeff",
        "utf-16-le": "\ufeff",
        "utf-16-be": "\ufeff",
    }
    text = bom.get(codec, "") + "Title,Artist\n白月光与朱砂痣,大籽\n"
    (track,) = parse_playlist_csv(text.encode(codec), name="x", ref_id="x.csv").tracks
    assert (track.title, track.artists) == ("白月光与朱砂痣", ("大籽",))


def test_broken_utf32_is_a_clear_error() -> None:
    with pytest.raises(CsvError, match="UTF-32"):
        parse_playlist_csv(b"\xff\xfe\x00\x00T\x00\x00\x00\x00\xd8\x00\x00", name="x", ref_id="x")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(names, st.lists(names, min_size=1, max_size=4)), min_size=1, max_size=6))
def test_artists_with_commas_survive_when_ids_are_given(rows: list[tuple[str, list[str]]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Track Name", "Artist Name(s)", "Artist IDs"])
    for i, (title, artists) in enumerate(rows):
        clean = [a.replace("\\", "").strip() for a in artists]
        if any(not a or ";" in a for a in clean) or len({a.casefold() for a in clean}) < len(clean):
            continue
        ids = ",".join(f"{i:011d}{j:011d}" for j in range(len(clean)))
        writer.writerow([f"{i} {title}", ", ".join(a.replace(",", "\\,") for a in clean), ids])
    playlist = (
        parse_playlist_csv(buffer.getvalue().encode(), name="x", ref_id="x.csv")
        if (buffer.getvalue().count("\n") > 1)
        else None
    )
    if playlist is None:
        return
    for track in playlist.tracks:
        number = int(track.title.split(" ", 1)[0])
        expected = tuple(a.replace("\\", "").strip() for a in rows[number][1])
        assert track.artists == expected


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from('ab,"\n\r;\\'), max_size=300))
def test_any_quoting_mess_is_counted_or_refused(body: str) -> None:
    try:
        playlist = parse_playlist_csv(("Title,Artist\n" + body).encode(), name="x", ref_id="x.csv")
    except CsvError:
        return
    rows = sum(1 for line in body.splitlines() if line.strip())
    assert len(playlist.tracks) + sum(playlist.skipped.values()) <= max(rows, 1)


def test_a_quoted_word_followed_by_more_text_is_read_as_written() -> None:
    text = 'Title,Artist\n"Heroes" (2017 Remaster),David Bowie\nStarman,David Bowie\n'
    playlist = parse(text)
    assert [t.title for t in playlist.tracks] == ["Heroes (2017 Remaster)", "Starman"]
    assert playlist.skipped == {}


EXPORTIFY_ROW = {
    "track_uri": "spotify:track:4u7EnebtmKWzUH433cf5Qv",
    "track_name": "Bohemian Rhapsody",
    "artist_uris": "spotify:artist:1dfeR4HaWDbWqFHLkxsg1d",
    "artist_names": "Queen",
    "album_name": "A Night At The Opera",
    "album_release_date": "1975-11-21",
    "track_duration": "354320",
    "explicit": "false",
    "popularity": "80",
    "label": "EMI",
    "artist_genres": "classic rock,glam rock",
    "danceability": "0.414",
    "tempo": "143.883",
}


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(EXPORTIFY_LANGUAGES),
    st.permutations(list(EXPORTIFY_ROW)),
    st.sampled_from([",", ";", "\t"]),
)
def test_any_language_column_order_and_delimiter_read_the_same(
    language: str, keys: list[str], delimiter: str
) -> None:
    headers = exportify_headers()[language]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerows([[headers[k] for k in keys], [EXPORTIFY_ROW[k] for k in keys]])
    (track,) = parse(buffer.getvalue()).tracks
    assert (track.spotify_id, track.title, track.artists) == (
        "4u7EnebtmKWzUH433cf5Qv",
        "Bohemian Rhapsody",
        ("Queen",),
    )
    assert (track.album, track.release_year, track.duration_ms, track.label) == (
        "A Night At The Opera",
        1975,
        354320,
        "EMI",
    )
    assert (track.explicit, track.popularity, track.genres) == (
        False,
        80,
        ("classic rock", "glam rock"),
    )
    assert track.audio == {"danceability": 0.414, "tempo": 143.883}


# -- how a file without artist ids joins its artists (issue 25) ------------------------

NET = "Track URI,Track Name,Album Name,Artist Name(s)\n"


def artists(text: str) -> list[tuple[str, ...]]:
    return [t.artists for t in parse(text).tracks]


def test_a_semicolon_anywhere_makes_every_comma_part_of_a_name() -> None:
    text = NET + (
        'spotify:track:0000000000000000000001,A,X,"THRIVE(cv. Toshiyuki Toyonaga,Natsuki Hanae)"\n'
        'spotify:track:0000000000000000000002,B,X,"Bluey;Joff Bush"\n'
    )
    assert artists(text) == [
        ("THRIVE(cv. Toshiyuki Toyonaga,Natsuki Hanae)",),
        ("Bluey", "Joff Bush"),
    ]


def test_exportify_net_layout_never_splits_at_a_comma_and_a_space() -> None:
    text = NET + 'spotify:track:0000000000000000000001,September,X,"Earth, Wind & Fire"\n'
    assert artists(text) == [("Earth, Wind & Fire",)]


def test_a_plain_csv_joined_with_comma_space_still_splits() -> None:
    text = 'Title,Artist\nSong,"Simon, Garfunkel"\nOther,Solo\n'
    assert artists(text) == [("Simon", "Garfunkel"), ("Solo",)]


def test_a_plain_csv_with_a_tight_comma_elsewhere_keeps_spaced_names_whole() -> None:
    text = 'Title,Artist\nA,"Channel Tres,Tyler, The Creator"\nB,"Hank Williams, Jr."\n'
    assert artists(text) == [("Channel Tres", "Tyler, The Creator"), ("Hank Williams, Jr.",)]
