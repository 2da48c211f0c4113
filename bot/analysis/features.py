"""Turn tracks into the numeric matrix the clustering sees (pure, no I/O).

One audio family leads when it covers most tracks: provider audio features
(Spotify's scale) first, else features computed from previews. The two families
have different scales and are never mixed in one matrix. Metadata (release year,
duration, explicit, popularity, genres, title script) joins with a lower weight so
it separates tracks that sound alike without overriding how they sound.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence

import numpy as np

from bot.model import FeatureTable, Track

#: A column is kept only when at least this share of tracks has a value for it.
MIN_COLUMN_COVERAGE = 0.5
#: An audio family leads only when at least this share of tracks has it.
MIN_FAMILY_COVERAGE = 0.5
#: At most this many genre and script columns each (most common first).
MAX_GENRES = 8
MAX_SCRIPTS = 6
#: Extra down-weighting of weak metadata signals, on top of the metadata weight.
WEAK_COLUMNS = {"popularity": 0.5, "duration": 0.5}


def title_script(text: str) -> str | None:
    """The dominant writing system of a title ('Latin', 'Japanese', 'Hangul', 'Han', ...).

    Kana anywhere makes a title Japanese even when it also has Han characters.
    """
    counts: Counter[str] = Counter()
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        if name.startswith(("HIRAGANA", "KATAKANA")):
            counts["Japanese"] += 3
        elif name.startswith("CJK"):
            counts["Han"] += 1
        elif name.startswith("HANGUL"):
            counts["Hangul"] += 1
        elif name.startswith("HEBREW"):
            counts["Hebrew"] += 1
        elif name.startswith("THAI"):
            counts["Thai"] += 1
        elif name.startswith("ARABIC"):
            counts["Arabic"] += 1
        elif name.startswith("CYRILLIC"):
            counts["Cyrillic"] += 1
        elif name.startswith("GREEK"):
            counts["Greek"] += 1
        elif name.startswith("DEVANAGARI"):
            counts["Devanagari"] += 1
        elif name.startswith("LATIN"):
            counts["Latin"] += 1
    if not counts:
        return None
    if counts["Japanese"]:
        return "Japanese"
    return counts.most_common(1)[0][0]


def _audio_block(
    tracks: Sequence[Track], family: str
) -> tuple[np.ndarray, list[str], int, dict[str, int]]:
    """Raw values (NaN where missing) of one audio family, its columns, coverage, providers."""
    dicts: list[dict[str, float] | None]
    if family == "provider":
        dicts = [t.audio for t in tracks]
    else:
        dicts = [t.preview_features for t in tracks]
    coverage = sum(1 for d in dicts if d)
    providers: Counter[str] = Counter()
    if family == "provider":
        providers.update(t.audio_provider or "unknown" for t in tracks if t.audio)
    else:
        providers.update("preview analysis" for t in tracks if t.preview_features)
    names: list[str] = []
    for d in dicts:
        for key in d or ():
            if key not in names:
                names.append(key)
    block = np.full((len(tracks), len(names)), np.nan)
    index = {name: i for i, name in enumerate(names)}
    for row, d in enumerate(dicts):
        for key, value in (d or {}).items():
            if value is not None:
                block[row, index[key]] = float(value)
    return block, names, coverage, dict(providers)


def _multi_hot(
    values: Sequence[Sequence[str]], prefix: str, limit: int
) -> tuple[np.ndarray, list[str]]:
    """Columns for the ``limit`` most common values that occur on at least two tracks."""
    counts = Counter(v.casefold() for vs in values for v in set(vs))
    display: dict[str, str] = {}
    for vs in values:
        for v in vs:
            display.setdefault(v.casefold(), v)
    common = [v for v, n in counts.most_common() if n >= 2][:limit]
    block = np.zeros((len(values), len(common)))
    index = {v: i for i, v in enumerate(common)}
    for row, vs in enumerate(values):
        for v in vs:
            i = index.get(v.casefold())
            if i is not None:
                block[row, i] = 1.0
    return block, [f"{prefix}:{display[v]}" for v in common]


def _metadata_block(tracks: Sequence[Track]) -> tuple[np.ndarray, list[str]]:
    """Raw metadata columns (NaN where unknown) and multi-hot genre and script columns."""

    def col(values: list[float | None]) -> np.ndarray:
        return np.array([np.nan if v is None else float(v) for v in values])

    scalar = {
        "release_year": col([t.release_year for t in tracks]),
        "duration": col([None if t.duration_ms is None else t.duration_ms / 1000 for t in tracks]),
        "explicit": col([None if t.explicit is None else float(t.explicit) for t in tracks]),
        "popularity": col([t.popularity for t in tracks]),
    }
    names = list(scalar)
    blocks = [np.column_stack([scalar[n] for n in names])]
    genres, genre_names = _multi_hot([t.genres for t in tracks], "genre", MAX_GENRES)
    scripts = [(s,) if (s := title_script(t.title)) else () for t in tracks]
    script_block, script_names = _multi_hot(scripts, "script", MAX_SCRIPTS)
    blocks += [genres, script_block]
    return np.column_stack(blocks), names + genre_names + script_names


def choose_family(tracks: Sequence[Track], prefer: str = "auto") -> str:
    """'provider', 'preview' or 'metadata': the audio family that covers most tracks."""
    n = max(1, len(tracks))
    provider = sum(1 for t in tracks if t.audio) / n
    preview = sum(1 for t in tracks if t.preview_features) / n
    if prefer in {"provider", "preview", "metadata"}:
        return prefer
    if provider >= MIN_FAMILY_COVERAGE:
        return "provider"
    if preview >= MIN_FAMILY_COVERAGE:
        return "preview"
    return "metadata"


def _keep_columns(block: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str], list[str]]:
    """Drop columns known for fewer than half the tracks, and constant columns."""
    if block.shape[1] == 0:
        return block, names, []
    known = np.mean(~np.isnan(block), axis=0) if block.shape[0] else np.zeros(block.shape[1])
    filled = np.where(np.isnan(block), np.inf, block)
    low = filled.min(axis=0, initial=np.inf)
    high = np.where(np.isnan(block), -np.inf, block).max(axis=0, initial=-np.inf)
    keep = (known >= MIN_COLUMN_COVERAGE) & (high > low)
    dropped = [n for n, k in zip(names, keep, strict=True) if not k]
    return block[:, keep], [n for n, k in zip(names, keep, strict=True) if k], dropped


def _impute_and_scale(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill gaps with the column median, then standardise each column (mean 0, sd 1).

    Returns the scaled block and each column's standard deviation in its own units.
    """
    if block.shape[1] == 0:
        return block, np.zeros(0)
    medians = np.nanmedian(block, axis=0)
    filled = np.where(np.isnan(block), medians, block)
    mean = filled.mean(axis=0)
    std = filled.std(axis=0)
    std[std == 0] = 1.0
    return (filled - mean) / std, std


def build_feature_table(
    tracks: Sequence[Track], *, metadata_weight: float = 0.5, prefer: str = "auto"
) -> FeatureTable:
    """The weighted, scaled matrix for ``tracks``: shape (len(tracks), n_columns).

    Audio columns get weight 1, metadata columns ``metadata_weight`` (and weak ones
    less); when no audio family covers most tracks, metadata leads with weight 1.
    Multi-hot groups are divided by the square root of their width so a long genre
    list cannot outvote the scalar columns.
    """
    family = choose_family(tracks, prefer)
    blocks: list[np.ndarray] = []
    spreads: list[np.ndarray] = []
    columns: list[str] = []
    weights: list[float] = []
    dropped: list[str] = []
    coverage = 0
    providers: dict[str, int] = {}
    meta_weight = metadata_weight
    if family in {"provider", "preview"}:
        audio, names, coverage, providers = _audio_block(tracks, family)
        audio, names, gone = _keep_columns(audio, names)
        dropped += gone
        if names:
            scaled_audio, audio_spread = _impute_and_scale(audio)
            blocks.append(scaled_audio)
            spreads.append(audio_spread)
            columns += names
            weights += [1.0] * len(names)
        else:
            family = "metadata"
    if family == "metadata":
        meta_weight = 1.0
        coverage = len(tracks)
    meta, meta_names = _metadata_block(tracks)
    meta, meta_names, gone = _keep_columns(meta, meta_names)
    dropped += gone
    if meta_names:
        scaled_meta, meta_spread = _impute_and_scale(meta)
        blocks.append(scaled_meta)
        spreads.append(meta_spread)
        columns += meta_names
        groups = Counter(n.split(":", 1)[0] for n in meta_names if ":" in n)
        for name in meta_names:
            w = meta_weight * WEAK_COLUMNS.get(name, 1.0)
            if ":" in name:
                w /= float(np.sqrt(groups[name.split(":", 1)[0]]))
            weights.append(w)
    scaled = np.column_stack(blocks) if blocks else np.zeros((len(tracks), 0))
    weight_vector = np.array(weights, dtype=float)
    return FeatureTable(
        matrix=scaled * weight_vector if weights else scaled,
        scaled=scaled,
        columns=columns,
        weights=weight_vector,
        spread=np.concatenate(spreads) if spreads else np.zeros(0),
        family=family,
        coverage=coverage,
        providers=providers,
        dropped=dropped,
    )
