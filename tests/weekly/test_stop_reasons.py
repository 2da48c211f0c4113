"""A stopped weekly post's reason in the reader's language: the clock stores the English
sentence (what the DM and ``/schedule list`` said before, and what old rows hold);
``stop_reason`` reads it back into its message id, so a ``ja`` server reads Japanese,
and a reason it does not know stays as it was stored. The times and zones a member
types wrongly are said in their language too."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.discord_ui.answers import sentence_for
from bot.errors import BadInput, InputTooLarge, PlaylistUnavailable, UserError
from bot.locales import ENGLISH, words_for
from bot.model import PlaylistRef
from bot.sources import deezer, spotify
from bot.weekly import rules as weekly


@dataclass
class Stopped:
    id: int = 7
    guild_id: int = 1
    channel_id: int = 2
    weekday: int = 0
    time: str = "18:00"
    timezone: str = "UTC"
    source: str = "deezer"
    playlist_id: str = "908622995"

    @property
    def ref(self) -> PlaylistRef:
        return PlaylistRef(self.source, self.playlist_id)


JA = words_for("ja")


@pytest.mark.parametrize(
    ("stored", "japanese"),
    [
        (weekly.CHANNEL_GONE, "チャンネルがもうありません。"),
        (
            str(PlaylistUnavailable(deezer.NOT_FOUND)),  # the sentence of the error that stopped it
            "Deezer にその ID の公開プレイリストはありません。存在しないか非公開です。",
        ),
        (
            weekly.lost_permissions("général", ["Send Messages", "Embed Links"]),
            "#général での権限がなくなりました：メッセージを送信, 埋め込みリンク。",
        ),
        (
            str(InputTooLarge(spotify.TOO_MANY, count=12345, limit=10000)),
            "そのプレイリストは 12,345 曲あります。読めるのは最大 10,000 曲です。",
        ),
        ("Something an older version stored.", "Something an older version stored."),
    ],
    ids=["channel-gone", "playlist-gone", "permissions", "too-many", "unknown"],
)
def test_a_stored_reason_is_said_again_in_japanese(stored: str, japanese: str) -> None:
    assert weekly.stop_reason(stored, ENGLISH) == stored  # English: as stored, as before
    assert weekly.stop_reason(stored, JA) == japanese


def test_the_permission_sentence_is_what_the_cog_stored_before() -> None:
    assert weekly.lost_permissions("general", ["View Channel", "Attach Files"]) == (
        "I lost permissions in #general: View Channel, Attach Files."
    )


def test_the_dm_says_the_reason_in_the_servers_language() -> None:
    english = weekly.stopped_text(Stopped(), weekly.NOT_ALLOWED, "Club")
    assert "has stopped: I am no longer allowed to post in the channel.\n" in english
    japanese = weekly.stopped_text(Stopped(), weekly.NOT_ALLOWED, "Club", JA)
    assert "が止まりました：このチャンネルにはもう投稿できません。\n" in japanese
    assert "no longer" not in japanese


@pytest.mark.parametrize(
    ("typed", "read", "english", "japanese"),
    [
        (
            "25:00",
            weekly.parse_time,
            "“25:00” is not a time of day; use 24-hour HH:MM, e.g. 18:30.",
            "「25:00」は時刻ではありません。24 時間制の HH:MM で入力してください（例：18:30）。",
        ),
        (
            "Mars/Olympus",
            weekly.canonical_zone,
            "“Mars/Olympus” is not a time zone; use a name like Europe/Berlin, "
            "America/New_York or UTC.",
            "「Mars/Olympus」はタイムゾーンではありません。Europe/Berlin、America/New_York、"
            "UTC のような名前を使ってください。",
        ),
    ],
)
def test_a_mistyped_time_or_zone_in_japanese(typed, read, english, japanese) -> None:
    with pytest.raises(BadInput) as caught:
        read(typed)
    error: UserError = caught.value
    assert (str(error), sentence_for(error, JA)) == (english, japanese)


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(alphabet="ab:.# {}\n\u202e", max_size=20) | st.text(max_size=40),
    typed=st.text(max_size=40),
)
def test_hostile_names_and_typed_text_are_kept_whole(name: str, typed: str) -> None:
    """A channel name or typed text with braces, colons, dots or newlines never breaks
    a sentence: the English is the template filled in, and Japanese keeps the text."""
    stored = weekly.lost_permissions(name, ["Send Messages"])
    assert weekly.stop_reason(stored, ENGLISH) == stored
    assert name in weekly.stop_reason(stored, JA)
    error = BadInput(weekly.LOST_PERMISSIONS, channel=name, permissions=typed)
    assert str(error) == f"I lost permissions in #{name}: {typed}."
    assert typed in sentence_for(error, JA)
