"""The feature summary of an analysis, in any language (pure).

"60 of 75 tracks had audio features (ReccoBeats 60, Deezer 15 with tempo and loudness
only). 3 tracks had too few sound features (🔇): …". The pipeline stores the English
sentence (``FeatureInfo.summary``, what the CLI and ``clusters.json`` show); a page in
another language says it again from the analysis' own numbers (family, coverage,
providers, the tracks' providers, the clusters' unplaced tracks), so it needs no
stored translation. Sentences the pipeline added afterwards (lookups left past a time
budget) are read back from their English into their templates (``said_again``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from bot.analysis.clustering import NOTES
from bot.analysis.unheard import ALONE, NOT_LOOKED_UP, UNHEARD_NAME
from bot.locales import ENGLISH, N_, Words, said_again
from bot.model import Analysis, Track
from bot.render.document import pending_sentences, reading_sentences
from bot.text import describe_notes, describe_skips, plural

FAMILY_WORDS = {
    "provider": N_("audio features"),
    "preview": N_("features from preview audio"),
    "metadata": N_("metadata only"),
}
PROVIDER_NAMES = {
    "csv": N_("from the file"),
    "spotify": "Spotify",
    "reccobeats": "ReccoBeats",
    "deezer": "Deezer",
    "preview analysis": N_("preview analysis"),
    "unknown": N_("unknown"),
}
#: Sentences providers add to an answer, for one track and for several: stored in
#: English (``bot.features``), said again in the member's language by ``said_again``.
PREVIEWS_FAILED = (
    N_("{count} preview could not be analysed ({reasons})."),
    N_("{count} previews could not be analysed ({reasons})."),
)
DEEZER_BACKGROUND = (
    N_(
        "Deezer's tempo and loudness of {count} more track are being looked up in the "
        "background: ask again in a few minutes for a fuller answer."
    ),
    N_(
        "Deezer's tempo and loudness of {count} more tracks are being looked up in the "
        "background: ask again in a few minutes for a fuller answer."
    ),
)
DEEZER_BUDGET = (
    N_(
        "Deezer's tempo and loudness of {count} more track were not looked up within the "
        "{budget} s budget (DEEZER_TRACK_BUDGET_SECONDS)."
    ),
    N_(
        "Deezer's tempo and loudness of {count} more tracks were not looked up within the "
        "{budget} s budget (DEEZER_TRACK_BUDGET_SECONDS)."
    ),
)
PROVIDER_NOTES = (*PREVIEWS_FAILED, *DEEZER_BACKGROUND, *DEEZER_BUDGET, *NOT_LOOKED_UP)
#: Why previews were not analysed, as ``PREVIEWS_FAILED``'s ``{reasons}`` count them
#: ("2 silent, 1 download failed": ``bot.features.audio`` and ``SkipReason``'s values).
PREVIEW_REASONS = (
    N_("{count} too short"),
    N_("{count} silent"),
    N_("{count} could not be decoded"),
    N_("{count} host not allowed"),
    N_("{count} too large"),
    N_("{count} download failed"),
    N_("{count} analysis failed"),
)


def preview_reasons(text: str, words: Words) -> str:
    """'2 silent, 1 download failed' in ``words``' language (a reason no template made,
    such as one an older version stored, stays as it is)."""
    return ", ".join(said_again(part, PREVIEW_REASONS, words) for part in text.split(", "))


#: How said_again reads the values of provider notes that are not plain numbers or words.
NOTE_READERS = {"reasons": preview_reasons}


def counted(forms: tuple[str, str], count: int, **values: object) -> str:
    """The English sentence of ``forms`` (one track, several) for ``count``."""
    return forms[count != 1].format(count=f"{count:,}", **values)


#: Providers that fill only some of the audio columns, and which.
PARTIAL_PROVIDERS = {"deezer": N_("tempo and loudness only")}


def by_provider(providers: Mapping[str, int], words: Words = ENGLISH) -> str:
    """'ReccoBeats 60, Deezer 15 with tempo and loudness only' (no counts for just one)."""
    parts = []
    for name, count in sorted(providers.items(), key=lambda kv: -kv[1]):
        said = words(PROVIDER_NAMES.get(name, name))
        if len(providers) > 1:
            said += f" {words.number(count)}"
        if name in PARTIAL_PROVIDERS:
            said = words(
                "{provider} with {columns}", provider=said, columns=words(PARTIAL_PROVIDERS[name])
            )
        parts.append(said)
    return ", ".join(parts)


def features_sentence(
    family: str,
    coverage: int,
    total: int,
    providers: Mapping[str, int],
    tracks: Sequence[Track] = (),
    words: Words = ENGLISH,
) -> str:
    """'30 of 30 tracks had audio features (from the file)' style sentence.

    When metadata leads, ``tracks`` let it still say how many tracks had which audio
    features, too few to lead.
    """
    if family == "metadata":
        have = Counter(t.audio_provider or "unknown" for t in tracks if t.audio)
        have.update("preview analysis" for t in tracks if t.preview_features)
        if not have:
            return words(
                "Clustered on metadata only (no audio features for most of the {total} tracks).",
                total=total,
            )
        covered = sum(1 for t in tracks if t.audio or t.preview_features)
        return words(
            "Clustered on metadata only: {covered} of {total} tracks had audio "
            "features ({sources}), too few to lead.",
            covered=covered,
            total=total,
            sources=by_provider(have, words),
        )
    return words(
        "{coverage} of {total} tracks had {features} ({sources}).",
        coverage=coverage,
        total=total,
        features=words(FAMILY_WORDS.get(family, family)),
        sources=by_provider(providers, words),
    )


def unheard_sentence(how: Mapping[object, str], words: Words = ENGLISH) -> str:
    """'12 tracks had too few sound features (🔇): 9 placed with their album's or artist's
    tracks, 3 in "not enough to hear".' (empty when every track was heard)."""
    if not how:
        return ""
    alone = sum(1 for h in how.values() if h == ALONE)
    placed = len(how) - alone
    parts = []
    if placed:
        parts.append(words("{count} placed with their album's or artist's tracks", count=placed))
    if alone:
        parts.append(words('{count} in "{name}"', count=alone, name=words(UNHEARD_NAME)))
    head = words.n(
        "{count} track had too few sound features (🔇): ",
        "{count} tracks had too few sound features (🔇): ",
        len(how),
    )
    return head + ", ".join(parts) + "."


def summary_sentences(analysis: Analysis, words: Words = ENGLISH) -> str:
    """The features sentence and the unheard sentence of ``analysis``, in ``words``."""
    info = analysis.features
    how = {tid: h for cluster in analysis.clusters for tid, h in cluster.unheard.items()}
    parts = (
        features_sentence(
            info.family,
            info.coverage,
            analysis.track_count,
            info.providers,
            analysis.playlist.tracks,
            words,
        ),
        unheard_sentence(how, words),
    )
    return " ".join(part for part in parts if part)


def feature_summary(analysis: Analysis, words: Words = ENGLISH) -> str:
    """The analysis' feature summary in ``words``' language.

    English is the stored sentence itself. Another language is said again from the
    analysis' numbers when the stored sentence starts as those numbers say in English
    (what the pipeline added after it follows as it is); otherwise (an analysis cached
    by an older version) the stored English sentence is shown.
    """
    stored = analysis.features.summary
    if words is ENGLISH or not stored:
        return stored
    english = summary_sentences(analysis)
    if not stored.startswith(english):
        return stored
    rest = said_again(stored[len(english) :], PROVIDER_NOTES, words, NOTE_READERS)
    return " ".join(x for x in (summary_sentences(analysis, words), rest) if x)


#: What a skipped entry or a noted track was, said for any count: (one, many).
SKIP_REASONS: dict[str, tuple[str, str]] = {
    "local file": ("{count} local file", "{count} local files"),
    "duplicate": ("{count} duplicate", "{count} duplicates"),
    "podcast episode": ("{count} podcast episode", "{count} podcast episodes"),
    "unavailable entry": ("{count} unavailable entry", "{count} unavailable entries"),
    "unavailable track": ("{count} unavailable track", "{count} unavailable tracks"),
    "unreadable entry": ("{count} unreadable entry", "{count} unreadable entries"),
    "row without a title": ("{count} row without a title", "{count} rows without a title"),
    "track not playable on Deezer in this server's region": (
        "{count} track not playable on Deezer in this server's region",
        "{count} tracks not playable on Deezer in this server's region",
    ),
}


def _counted(counts: Mapping[str, int], words: Words) -> str:
    parts = []
    for reason, count in counts.items():
        forms = SKIP_REASONS.get(reason)
        if forms is None:  # a reason this table does not know: English
            parts.append(plural(count, reason))
        else:
            parts.append(words.n(forms[0], forms[1], count))
    return ", ".join(parts)


def skips_sentence(skipped: Mapping[str, int], words: Words = ENGLISH) -> str:
    """'3 local files, 1 duplicate skipped.' in ``words``' language ('' if none)."""
    if not skipped:
        return ""
    if words is ENGLISH:
        said = describe_skips(skipped)
        return said[:1].upper() + said[1:] + "."
    return words("{what} skipped.", what=_counted(skipped, words))


def notes_sentence(notes: Mapping[str, int], words: Words = ENGLISH) -> str:
    """'3 tracks not playable on Deezer here (kept in the analysis).' ('' if none)."""
    if not notes:
        return ""
    if words is ENGLISH:
        said = describe_notes(notes)
        return said[:1].upper() + said[1:] + "."
    return words("{what} (kept in the analysis).", what=_counted(notes, words))


def found_sentences(analysis: Analysis, words: Words = ENGLISH) -> list[tuple[str, int]]:
    """What an answer says below its first line, each with its length budget: the
    feature summary, the clustering's note, how a public page was read and what is still
    being looked up past the bot's match budget, the skipped entries and the noted
    tracks; in ``words``' language where they can be."""
    found = [
        (feature_summary(analysis, words), 600),
        (said_again(analysis.note, (*NOTES, *PROVIDER_NOTES), words, NOTE_READERS), 400),
        *((said, 400) for said in reading_sentences(analysis, words)),
        *((said, 400) for said in pending_sentences(analysis.playlist, words)),
        (skips_sentence(analysis.playlist.skipped, words), 400),
        (notes_sentence(analysis.playlist.notes, words), 400),
    ]
    return [(said, limit) for said, limit in found if said]
