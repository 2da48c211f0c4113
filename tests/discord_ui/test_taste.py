"""The /taste embeds: names escaped and mention-free, meeting points split by share."""

from __future__ import annotations

import numpy as np

from bot.analysis.taste import Meeting, compare_playlists
from bot.discord_ui.taste import map_embed, meetings_text, neighbours_embed, note_text
from bot.errors import PlaylistUnavailable
from bot.locales import words_for
from bot.model import Playlist, PlaylistRef, Track
from bot.services.taste import LEFT_OUT, UNREAD, Entry, MapAnswer, Note
from bot.sources.deezer import NOT_FOUND


def _tracks(centre: float, n: int, artist: str) -> list[Track]:
    rng = np.random.default_rng(int(centre * 10))
    return [
        Track(
            id=f"{artist}{i}",
            title=f"song {i}",
            artists=(artist,),
            audio={"energy": centre + rng.normal(0, 0.05), "tempo": 100 + rng.normal(0, 5)},
            audio_provider="csv",
        )
        for i in range(n)
    ]


def test_the_map_embed_escapes_names_and_lists_every_pair() -> None:
    names = ["@everyone · **x**", "<@123> · list", "bob · `code`"]
    lists = [_tracks(0.2, 20, "A"), _tracks(0.25, 20, "A"), _tracks(0.9, 20, "C")]
    taste = compare_playlists(lists, names)
    answer = MapAnswer(taste, [], b"", ["mod's playlist could not be read: @here gone."])
    embed = map_embed(answer, "Sounds of @everyone")
    text = embed.description
    assert "@everyone" not in text and "<@123>" not in text and "@here" not in text
    assert "\\*\\*x\\*\\*" in text
    assert len(text.splitlines()) == 1 + 3 + 1  # the legend line, three pairs, the note
    assert "20 tracks, 1 artist" in text  # the first two share tracks and an artist
    assert embed.image.url == "attachment://taste_map.png"


def test_a_maps_notes_are_said_in_the_members_language() -> None:
    unread = Note(UNREAD, {"label": "ana", "reason": PlaylistUnavailable(NOT_FOUND)})
    left = Note(LEFT_OUT, {"count": 1234, "limit": 8})
    assert [note_text(unread), note_text(left)] == [  # English: as before
        "ana's playlist could not be read: Deezer has no public playlist with that id: it "
        "does not exist or is private.",
        "1,234 more shared playlists did not fit (at most 8 on one map).",
    ]
    ja = words_for("ja")
    assert [note_text(unread, ja), note_text(left, ja)] == [
        "ana のプレイリストを読み込めませんでした：Deezer にその ID の公開プレイリストは"
        "ありません。存在しないか非公開です。",
        "共有プレイリストがあと 1,234 件入りきりませんでした（1 つのマップに最大 8 件）。",
    ]
    taste = compare_playlists([_tracks(0.2, 20, "A"), _tracks(0.8, 20, "B")], ["a", "b"])
    embed = map_embed(MapAnswer(taste, [], b"", [unread, left]), "x", ja)
    assert embed.description.endswith("（1 つのマップに最大 8 件）。")


def test_meeting_points_split_by_the_share_of_each_side() -> None:
    meetings = [
        Meeting("calm", ("calm",), 40, 10),  # 40% / 20%: both well present
        Meeting("loud", ("loud",), 55, 2),  # 55% / 4%: mostly the first
        Meeting("fast", ("fast",), 5, 38),
    ]
    meet, differ = meetings_text(meetings, 100, 50)
    assert meet == "calm: 40% / 20%"
    assert differ.splitlines() == ["loud: 55% / 4%", "fast: 5% / 76%"]


def test_neighbours_rank_highest_first_with_escaped_labels() -> None:
    playlist = Playlist(PlaylistRef("csv", "x"), "x", [], "s")
    me = Entry("alice · mine", playlist, 1)
    ranked = [(Entry("bob · _under_", playlist, 2), 81.4), (Entry("eve", playlist, 3), 12.0)]
    lines = neighbours_embed(me, ranked).description.splitlines()
    assert lines == ["1. **81** · bob · \\_under\\_", "2. **12** · eve"]


def test_the_taste_answers_speak_the_members_language() -> None:
    from bot.discord_ui.taste import week_changes
    from bot.locales import words_for

    ja, pt = words_for("ja"), words_for("pt-BR")
    lists = [_tracks(0.2, 20, "A"), _tracks(0.25, 20, "A"), _tracks(0.9, 20, "C")]
    answer = MapAnswer(compare_playlists(lists, ["a", "b", "c"]), [], b"", [])
    embed = map_embed(answer, ja("Sounds of {server}", server="夜"), ja)
    assert embed.title == "夜 の音"
    assert embed.description.startswith("音の重なり（0〜100")
    assert "20 曲, 1 人のアーティスト" in embed.description
    assert embed.footer.text == "60 曲中 60 曲を地図に表示"
    assert week_changes({}, {}, {}, words=pt).startswith("O primeiro mapa de gostos")
    moved = week_changes(
        {(1, 2): 50.0, (1, 3): 10.0}, {(1, 2): 70.0}, {1: "ana", 2: "bia"}, words=pt
    )
    assert (
        moved == "Esta semana: ana × bia 70 (+20) · 1 par sumiu (um membro deixou de compartilhar)"
    )


class _Response:
    def __init__(self, status: int, reason: str) -> None:
        self.status = status
        self.reason = reason


class _Guild:
    """A guild that knows nobody in its cache and answers fetch_member with ``error``."""

    def __init__(self, error: Exception | None) -> None:
        self.error = error

    def get_member(self, user_id: int) -> None:
        return None

    async def fetch_member(self, user_id: int) -> object:
        if self.error is not None:
            raise self.error
        return object()


async def test_only_unknown_member_says_a_member_left() -> None:
    import discord

    from bot.discord_ui.taste import member_check

    async def ask(kind: type[discord.HTTPException] | None, status: int = 0, code: int = 0):
        error = None if kind is None else kind(_Response(status, "x"), {"code": code})  # type: ignore[arg-type]
        return await member_check(_Guild(error))(1)  # type: ignore[arg-type]

    assert await ask(None) is True
    assert await ask(discord.NotFound, 404, 10007) is False  # Unknown Member: they left
    assert await ask(discord.NotFound, 404, 10004) is None  # Unknown Guild: not about them
    assert await ask(discord.Forbidden, 403, 50001) is None  # Missing Access
    assert await ask(discord.DiscordServerError, 503) is None
    assert await member_check(None)(1) is None
