"""Turn tracks into the numeric matrix the clustering sees (pure, no I/O).

One audio family leads when it covers most tracks: provider audio features
(Spotify's scale) first, else features computed from previews. The two families
have different scales and are never mixed in one matrix. Metadata (release year,
duration, explicit, popularity, genres, title script) joins with a lower weight so
it separates tracks that sound alike without overriding how they sound.

Two matrices come out: ``scaled`` (z-scores of the values, what cluster naming reads
in the features' own units) and ``matrix`` (what the clustering sees): continuous
columns there are normal scores of their ranks, so skewed features (instrumentalness,
speechiness) and outliers do not decide the grouping, times the column weights.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from bot.analysis.scripts import title_script
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
#: Title scripts join only when at least two scripts each cover this share of titles.
MIN_SCRIPT_SHARE = 0.1
#: Release years and durations are clipped to these percentiles of the playlist.
CLIP_PERCENTILES = (2.0, 98.0)


#: Values beyond this magnitude are treated as unknown: squaring them while scaling
#: would overflow to inf/NaN, and no real feature or metadata value is that large.
ABSURD = 1e12


def known_value(value: object) -> float:
    """``value`` as a float, or NaN when it is missing, not a number, infinite or absurd."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return np.nan
    return number if abs(number) <= ABSURD else np.nan


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
            block[row, index[key]] = known_value(value)
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
    # ties by name: the columns must not depend on the order of the tracks
    common = sorted((v for v, n in counts.items() if n >= 2), key=lambda v: (-counts[v], v))
    common = common[:limit]
    block = np.zeros((len(values), len(common)))
    index = {v: i for i, v in enumerate(common)}
    for row, vs in enumerate(values):
        for v in vs:
            i = index.get(v.casefold())
            if i is not None:
                block[row, i] = 1.0
    return block, [f"{prefix}:{display[v]}" for v in common]


def _clip_outliers(values: np.ndarray) -> np.ndarray:
    """``values`` clipped to the playlist's CLIP_PERCENTILES (NaN stays NaN).

    A 1e20 ms duration or a year 0 must not stretch the column for every other track.
    """
    known = values[~np.isnan(values)]
    if known.size < 2:
        return values
    low, high = np.percentile(known, CLIP_PERCENTILES)
    return np.where(np.isnan(values), np.nan, np.clip(values, low, high))


def _scripts(tracks: Sequence[Track]) -> list[tuple[str, ...]]:
    """Each title's script, kept only where scripts separate the playlist.

    Titles without letters ("20", "1922") have no script and stay neutral. When fewer
    than two scripts each cover MIN_SCRIPT_SHARE of the titles, no script joins.
    """
    found = [title_script(t.title) for t in tracks]
    counts = Counter(s for s in found if s)
    total = max(1, sum(counts.values()))
    major = {s for s, n in counts.items() if n / total >= MIN_SCRIPT_SHARE}
    if len(major) < 2:
        return [() for _ in tracks]
    return [(s,) if s in major else () for s in found]


def _scalar_metadata(tracks: Sequence[Track]) -> dict[str, np.ndarray]:
    """Release year, duration (s), explicit and popularity per track; NaN where unknown."""

    def col(values: list[float | None]) -> np.ndarray:
        return np.array([known_value(v) for v in values], dtype=float)

    return {
        "release_year": _clip_outliers(col([t.release_year for t in tracks])),
        "duration": _clip_outliers(
            col([None if t.duration_ms is None else t.duration_ms / 1000 for t in tracks])
        ),
        "explicit": col([None if t.explicit is None else float(t.explicit) for t in tracks]),
        "popularity": col([t.popularity for t in tracks]),
    }


def _metadata_block(tracks: Sequence[Track]) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Raw metadata columns (NaN where unknown), their names, and a neutral-row mask.

    The mask is True where a multi-hot cell belongs to a track with no value in that
    group (no genre, a title without letters): those cells are neutral, not "none".
    """
    scalar = _scalar_metadata(tracks)
    names = list(scalar)
    genre_values = [t.genres for t in tracks]
    genres, genre_names = _multi_hot(genre_values, "genre", MAX_GENRES)
    scripts = _scripts(tracks)
    script_block, script_names = _multi_hot(scripts, "script", MAX_SCRIPTS)
    neutral = np.column_stack(
        [
            np.zeros((len(tracks), len(names)), dtype=bool),
            np.repeat(np.array([not g for g in genre_values])[:, None], len(genre_names), 1),
            np.repeat(np.array([not s for s in scripts])[:, None], len(script_names), 1),
        ]
    )
    block = np.column_stack([np.column_stack([scalar[n] for n in names]), genres, script_block])
    return block, names + genre_names + script_names, neutral


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


def _keep_columns(
    block: np.ndarray, names: list[str]
) -> tuple[np.ndarray, list[str], list[str], np.ndarray]:
    """Drop columns known for fewer than half the tracks, and constant columns.

    Returns the kept block, its names, the dropped names and the kept-column mask.
    """
    if block.shape[1] == 0:
        return block, names, [], np.zeros(0, dtype=bool)
    known = np.mean(~np.isnan(block), axis=0) if block.shape[0] else np.zeros(block.shape[1])
    low = np.where(np.isnan(block), np.inf, block).min(axis=0, initial=np.inf)
    high = np.where(np.isnan(block), -np.inf, block).max(axis=0, initial=-np.inf)
    keep = (known >= MIN_COLUMN_COVERAGE) & (high > low)
    dropped = [n for n, k in zip(names, keep, strict=True) if not k]
    return block[:, keep], [n for n, k in zip(names, keep, strict=True) if k], dropped, keep


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


def normal_scores(scaled: np.ndarray) -> np.ndarray:
    """Each column with more than two values replaced by the normal scores of its ranks.

    Ties share their mean rank; the result is standardised again (mean 0, sd 1).
    Binary columns (explicit, multi-hot) are left as they are.
    """
    # scipy.stats costs about a second to import: not on the way to the first request
    # (the CLI warms it up in a thread while pages arrive; bot.roots.cli)
    from scipy.stats import norm, rankdata

    out = scaled.copy()
    n = scaled.shape[0]
    for j in range(scaled.shape[1]):
        column = scaled[:, j]
        if n < 3 or len(np.unique(column[: min(n, 1000)])) <= 2:
            continue
        ranks = rankdata(column)
        scores = norm.ppf((ranks - 0.5) / n)
        spread = scores.std()
        out[:, j] = (scores - scores.mean()) / (spread if spread > 0 else 1.0)
    return out


def _metadata_weights(names: list[str], weight: float) -> list[float]:
    """``weight`` per metadata column, less for weak ones; multi-hot groups / sqrt(width)."""
    groups = Counter(n.split(":", 1)[0] for n in names if ":" in n)
    weights = []
    for name in names:
        w = weight * WEAK_COLUMNS.get(name, 1.0)
        if ":" in name:
            w /= float(np.sqrt(groups[name.split(":", 1)[0]]))
        weights.append(w)
    return weights


class _Blocks:
    """The columns gathered so far: z-scores, clustering scores, weights, spreads."""

    def __init__(self) -> None:
        self.scaled: list[np.ndarray] = []
        self.scores: list[np.ndarray] = []
        self.spreads: list[np.ndarray] = []
        self.columns: list[str] = []
        self.weights: list[float] = []
        self.dropped: list[str] = []

    def add(
        self,
        raw: np.ndarray,
        names: list[str],
        weights: list[float],
        neutral: np.ndarray | None = None,
    ) -> int:
        """Keep, impute, scale and add ``raw``; neutral cells become 0. Returns columns added."""
        kept, kept_names, gone, mask = _keep_columns(raw, names)
        self.dropped += gone
        if not kept_names:
            return 0
        scaled, spread = _impute_and_scale(kept)
        scores = normal_scores(scaled)
        if neutral is not None:
            cells = neutral[:, mask]
            scaled[cells] = 0.0
            scores[cells] = 0.0
        self.scaled.append(scaled)
        self.scores.append(scores)
        self.spreads.append(spread)
        self.columns += kept_names
        self.weights += [w for w, k in zip(weights, mask, strict=True) if k]
        return len(kept_names)

    def stacked(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(scaled, weighted clustering matrix, weights, spread) of every column added."""
        if not self.columns:
            empty = np.zeros((n, 0))
            return empty, empty, np.zeros(0), np.zeros(0)
        weights = np.array(self.weights, dtype=float)
        scaled = np.column_stack(self.scaled)
        return scaled, np.column_stack(self.scores) * weights, weights, np.concatenate(self.spreads)


def sound_known(tracks: Sequence[Track], family: str) -> tuple[np.ndarray, int, dict[str, int]]:
    """Where each track has a value of the sound columns the table keeps, and the
    family's coverage and providers over all ``tracks`` (as :class:`FeatureTable` says).

    The mask has shape (n, d): d is the number of columns of ``family`` ("provider" or
    "preview") known for enough tracks to be kept; for "metadata" d is 0.
    """
    if family not in {"provider", "preview"}:
        return np.zeros((len(tracks), 0), dtype=bool), len(tracks), {}
    block, names, coverage, providers = _audio_block(tracks, family)
    _, _, _, keep = _keep_columns(block, names)
    if keep.size == 0:
        return np.zeros((len(tracks), 0), dtype=bool), coverage, providers
    return np.asarray(~np.isnan(block[:, keep])), coverage, providers


def build_feature_table(
    tracks: Sequence[Track],
    *,
    metadata_weight: float = 0.5,
    prefer: str = "auto",
    sound_only: bool = False,
) -> FeatureTable:
    """The weighted matrix for ``tracks``: shape (len(tracks), n_columns).

    Audio columns get weight 1 and come first (``lead_columns`` of them: the sound
    families are found on those alone); metadata columns get ``metadata_weight`` (weak
    ones less). When no audio family covers most tracks, metadata leads with weight 1.
    Multi-hot groups are divided by the square root of their width so a long genre
    list cannot outvote the scalar columns. ``sound_only`` leaves metadata out when
    an audio family leads (the taste map compares sound only).
    """
    family = choose_family(tracks, prefer)
    blocks = _Blocks()
    coverage, providers, lead = 0, {}, 0
    if family in {"provider", "preview"}:
        audio, names, coverage, providers = _audio_block(tracks, family)
        lead = blocks.add(audio, names, [1.0] * len(names))
        if not lead:
            family = "metadata"
    meta_weight = metadata_weight
    if family == "metadata":
        meta_weight, coverage = 1.0, len(tracks)
    if not (sound_only and lead):
        meta, meta_names, neutral = _metadata_block(tracks)
        weights = _metadata_weights(meta_names, meta_weight)
        added = blocks.add(meta, meta_names, weights, neutral)
        if family == "metadata":
            lead = added
    scaled, matrix, weights, spread = blocks.stacked(len(tracks))
    return FeatureTable(
        matrix=matrix,
        scaled=scaled,
        columns=blocks.columns,
        weights=weights,
        spread=spread,
        family=family,
        coverage=coverage,
        providers=providers,
        dropped=blocks.dropped,
        lead_columns=lead,
    )
