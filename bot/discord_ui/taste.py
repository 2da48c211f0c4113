"""What the /taste commands show: the map's embed, a pair side by side, neighbours.

Names come from members and playlists: every one is escaped and mention-free
(:func:`bot.render.pages.fit`), and answers are sent with ``NO_MENTIONS``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_ui.answers import NO_MENTIONS, said
from bot.discord_ui.extras import spotify_library
from bot.discord_ui.items import PersistentItem, custom_id
from bot.errors import UserError
from bot.locales import ENGLISH, N_, Words, words_for
from bot.render.pages import fit
from bot.render.taste_doc import bridge_files, score_text, shared_text
from bot.text import fit_plain_lines

if TYPE_CHECKING:
    from bot.analysis.taste import Meeting
    from bot.services.taste import Entry, MapAnswer, Note, PairAnswer, TasteService

MAP_FILE = "taste_map.png"
#: Discord's JSON error code for "Unknown Member": the user is not in that server.
UNKNOWN_MEMBER = 10007
COLOUR = discord.Colour(0x5865F2)
#: A cluster "meets" when each side has at least this share of its tracks there.
MEET_SHARE = 0.15
DESCRIPTION_LIMIT = 4000


def entry_label(member: str, playlist: str) -> str:
    """'alice · Road Trip': the legend label of a member's playlist (raw text)."""
    return f"{member} · {playlist}" if member else playlist


def note_text(note: Note | str, words: Words = ENGLISH) -> str:
    """A map's note in ``words``' language (an error among its values too)."""
    if isinstance(note, str):
        return note
    values = {k: said(v, words) if isinstance(v, UserError) else v for k, v in note.values.items()}
    return words(note.message, **values)


def map_embed(answer: MapAnswer, title: str, words: Words = ENGLISH) -> discord.Embed:
    """The map picture, then one line per pair: score and what the two share by name
    (in ``words``' language)."""
    taste = answer.taste
    lines = []
    for a, b, score in taste.pairs():
        shared = shared_text(taste.shared[(a, b)], 3, words)
        lines.append(
            f"**{score_text(score, words)}** · {fit(taste.names[a], 80)} × "
            f"{fit(taste.names[b], 80)} · {fit(shared, 200)}"
        )
    notes = [fit(note_text(n, words), 300) for n in answer.notes]
    text = fit_plain_lines(
        [words("Overlap in sound, 0-100 (100: they mix like two halves of one playlist)."), *lines],
        DESCRIPTION_LIMIT - sum(len(n) + 1 for n in notes),
    )
    embed = discord.Embed(
        title=fit(title, 250), description="\n".join([text, *notes]), colour=COLOUR
    )
    embed.set_image(url=f"attachment://{MAP_FILE}")
    placed, total = sum(taste.placed), sum(taste.sizes)
    on_map = words.n(
        "{placed} of {count} track on the map",
        "{placed} of {count} tracks on the map",
        total,
        placed=placed,
    )
    embed.set_footer(text=on_map)
    return embed


def _meeting_line(m: Meeting, size_a: int, size_b: int) -> str:
    share_a = m.count_a / size_a if size_a else 0.0
    share_b = m.count_b / size_b if size_b else 0.0
    return f"{fit(m.name, 80)}: {share_a:.0%} / {share_b:.0%}"


def meetings_text(
    meetings: Sequence[Meeting], size_a: int, size_b: int, words: Words = ENGLISH
) -> tuple[str, str]:
    """(where they meet, where they differ): clusters of both playlists together."""
    meet, differ = [], []
    for m in sorted(meetings, key=lambda m: -(m.count_a + m.count_b)):
        share_a = m.count_a / size_a if size_a else 0.0
        share_b = m.count_b / size_b if size_b else 0.0
        line = _meeting_line(m, size_a, size_b)
        (meet if min(share_a, share_b) >= MEET_SHARE else differ).append(line)
    return "\n".join(meet[:6]) or words("nowhere yet"), "\n".join(differ[:6]) or words("nowhere")


def pair_embed(answer: PairAnswer, words: Words = ENGLISH) -> discord.Embed:
    """Two members side by side: score, meeting points, shared names, the bridge."""
    taste = answer.taste
    a, b = taste.names
    score = taste.pairs()[0][2]
    shared = taste.shared[(0, 1)]
    embed = discord.Embed(
        title=fit(f"{a} × {b}", 250),
        description=words(
            "Overlap in sound: **{score}** / 100. Shared by name: {shared}.",
            score=score_text(score, words),
            shared=fit(shared_text(shared, 5, words), 600),
        ),
        colour=COLOUR,
    )
    meet, differ = meetings_text(answer.meetings, *taste.placed, words=words)
    where = words("Where they meet (share of each)")
    embed.add_field(name=where, value=fit(meet, 1000, markdown=False))
    embed.add_field(name=words("Where they differ"), value=fit(differ, 1000, markdown=False))
    labels = ", ".join(shared.labels[:5])
    if labels:
        embed.add_field(name=words("Shared labels"), value=fit(labels, 1000), inline=False)
    bridge = [f"{fit(t.title, 60)} – {fit(', '.join(t.artists), 40)}" for t in answer.bridge[:10]]
    embed.add_field(
        name=words.n(
            "Bridge playlist ({count} track, each side's closest to the other)",
            "Bridge playlist ({count} tracks, each side's closest to the other)",
            len(answer.bridge),
        ),
        value="\n".join(bridge)[:1024] or words("no tracks"),
        inline=False,
    )
    embed.set_image(url=f"attachment://{MAP_FILE}")
    return embed


def neighbours_embed(
    me: Entry, ranked: Sequence[tuple[Entry, float]], words: Words = ENGLISH
) -> discord.Embed:
    """The invoker's closest members by sound, highest first."""
    lines = [
        f"{i}. **{score:.0f}** · {fit(entry.label, 120)}"
        for i, (entry, score) in enumerate(ranked[:20], start=1)
    ]
    nobody = words("No other shared playlist could be compared yet.")
    return discord.Embed(
        title=fit(words("Closest to {label}", label=me.label), 250),
        description="\n".join(lines) or nobody,
        colour=COLOUR,
    )


def week_changes(
    before: dict[tuple[int, int], float],
    now: dict[tuple[int, int], float],
    labels: dict[int, str],
    limit: int = 5,
    words: Words = ENGLISH,
) -> str:
    """'alice × bob 83 (+12) · new: carol × bob 40': the pairs that moved most this week.

    Pairs are keyed by member ids (smaller first); a pair without last week's score is
    new (a member shared since); a pair that moved by less than 3 points is steady.
    """
    if not before:
        return words("The first taste map of this server: next week's post says what changed.")
    moved = []
    for pair, score in now.items():
        names = f"{fit(labels.get(pair[0], '?'), 60)} × {fit(labels.get(pair[1], '?'), 60)}"
        if pair not in before:
            moved.append((1000.0, words("new: {names} {score}", names=names, score=round(score))))
        elif abs(score - before[pair]) >= 3:
            delta = score - before[pair]
            moved.append((abs(delta), f"{names} {score:.0f} ({delta:+.0f})"))
    moved.sort(key=lambda item: -item[0])
    gone = sum(1 for pair in before if pair not in now)
    parts = [text for _, text in moved[:limit]]
    if gone:
        parts.append(
            words.n(
                "{count} pair gone (a member unshared)",
                "{count} pairs gone (a member unshared)",
                gone,
            )
        )
    if not parts:
        return words("This week: no pair moved by 3 points or more.")
    return words("This week: {changes}", changes=" · ".join(parts))


def member_check(guild: discord.Guild | None) -> Callable[[int], Awaitable[bool | None]]:
    """Whether a user is still in ``guild``, for :meth:`TasteService.prune_departed`.

    The member cache first, else one REST call (``GET /guilds/{id}/members/{user}``,
    which needs no privileged intent): only Discord's "Unknown Member" (404, code
    10007) says they left; any other failure answers None (unknown: their share stays).
    """

    async def is_member(user_id: int) -> bool | None:
        if guild is None:
            return None
        if guild.get_member(user_id) is not None:
            return True
        try:
            await guild.fetch_member(user_id)
        except discord.NotFound as exc:
            return False if exc.code == UNKNOWN_MEMBER else None
        except discord.HTTPException:
            return None
        return True

    return is_member


def _service(interaction: discord.Interaction[Any]) -> TasteService:
    return interaction.client.taste  # type: ignore[attr-defined, no-any-return]


class BridgeButton(
    PersistentItem[discord.ui.Button[Any]],
    pattern=r"tb:(?P<action>home|save):(?P<bridge>[0-9]{1,20})",
):
    """📥 the bridge playlist as files, or 💾 save it to the presser's Spotify."""

    def __init__(self, action: str, bridge: int, words: Words = ENGLISH) -> None:
        home = action == "home"
        label, emoji = (N_("Take home"), "📥") if home else (N_("Save to Spotify"), "💾")
        super().__init__(
            discord.ui.Button(
                label=words(label),
                emoji=emoji,
                style=discord.ButtonStyle.secondary,
                custom_id=custom_id("tb", action, bridge),
            )
        )
        self.action = action
        self.bridge = bridge

    @classmethod
    def parse(cls, match: re.Match[str], item: discord.ui.Button[Any]) -> BridgeButton:
        return cls(match["action"], int(match["bridge"]))

    async def pressed(self, interaction: discord.Interaction[Any]) -> None:
        tracks = await _service(interaction).bridge_tracks(self.bridge)
        if tracks is None:
            raise UserError(N_("This bridge playlist is gone: one of the two members unshared."))
        title = _bridge_title(interaction)
        words = words_for(interaction.locale)
        if self.action == "save":
            library = spotify_library(interaction.client)
            await interaction.response.defer(ephemeral=True, thinking=True)
            saved = await library.save_tracks(
                interaction.user.id,
                f"Bridge · {title}",
                f"Tracks between {title}, made by playlist-clusters.",
                tracks,
            )
            await interaction.followup.send(
                words(
                    "Saved **{name}** ({tracks}) to your Spotify as a private playlist: {url}",
                    name=fit(saved.name, 200),
                    tracks=words.n("{count} track", "{count} tracks", saved.added),
                    url=saved.url,
                ),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        a, _, b = title.partition(" × ")
        files = bridge_files(a, b, tracks)
        said = words.n(
            "📥 The bridge playlist ({count} track) as a CSV (upload it to "
            "`/clusters file:`), and as M3U and XSPF playlists with links.",
            "📥 The bridge playlist ({count} tracks) as a CSV (upload it to "
            "`/clusters file:`), and as M3U and XSPF playlists with links.",
            len(tracks),
        )
        await interaction.response.send_message(
            said,
            files=[discord.File(io.BytesIO(d), filename=n) for n, d in files.items()],
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )


def _bridge_title(interaction: discord.Interaction[Any]) -> str:
    embeds = interaction.message.embeds if interaction.message else []
    return (embeds[0].title or "two members") if embeds else "two members"
