"""Words for features: column labels for axes and trait words for cluster names."""

from __future__ import annotations

#: column -> (word when the cluster is above the playlist, word when below)
TRAITS: dict[str, tuple[str, str]] = {
    # provider audio features (Spotify's scale)
    "tempo": ("fast", "slow"),
    "energy": ("high energy", "low energy"),
    "danceability": ("danceable", "not for dancing"),
    "valence": ("upbeat", "melancholic"),
    "acousticness": ("acoustic", "electric"),
    "instrumentalness": ("instrumental", "vocal"),
    "speechiness": ("spoken", "sung"),
    "liveness": ("live", "studio"),
    "loudness": ("loud", "quiet"),
    # metadata
    "release_year": ("recent", "older"),
    "duration": ("long", "short"),
    "explicit": ("explicit", "clean"),
    "popularity": ("popular", "deep cuts"),
    # preview analysis (bot.features.audio)
    "rms_db": ("loud", "quiet"),
    "spectral_centroid": ("bright", "dark"),
    "spectral_rolloff": ("crisp highs", "muffled"),
    "spectral_flatness": ("noisy", "tonal"),
    "spectral_contrast": ("punchy", "smooth"),
    "zero_crossing_rate": ("hissy", "mellow"),
    "onset_rate": ("busy", "sparse"),
    "mode": ("major", "minor"),
}

#: The smallest difference, in the feature's own units, worth naming: below it a
#: cluster is not "fast" however many standard deviations the playlist's spread makes it.
MIN_NATIVE_EFFECT: dict[str, float] = {
    "tempo": 6.0,
    "loudness": 1.5,
    "rms_db": 1.5,
    "release_year": 3.0,
    "duration": 20.0,
    "popularity": 8.0,
    **{
        name: 0.06
        for name in (
            "energy",
            "danceability",
            "valence",
            "acousticness",
            "instrumentalness",
            "speechiness",
            "liveness",
        )
    },
}

LABELS: dict[str, str] = {
    "release_year": "release year",
    "rms_db": "loudness (RMS)",
    "spectral_centroid": "brightness",
    "spectral_rolloff": "rolloff",
    "spectral_flatness": "noisiness",
    "spectral_contrast": "contrast",
    "zero_crossing_rate": "zero crossings",
    "onset_rate": "onset rate",
}


def column_label(column: str) -> str:
    """Short human label of a feature column ('genre:k-pop' -> 'k-pop')."""
    if ":" in column:
        return column.split(":", 1)[1]
    return LABELS.get(column, column.replace("_", " "))


def trait_word(column: str, above: bool) -> str | None:
    """The word for a cluster that sits above (or below) the playlist on ``column``.

    Multi-hot columns only speak when a cluster has more of them ('k-pop',
    'Japanese titles'); being low on a genre says little.
    """
    if column.startswith("genre:"):
        return column.split(":", 1)[1] if above else None
    if column.startswith("script:"):
        return f"{column.split(':', 1)[1]} titles" if above else None
    if column in TRAITS:
        return TRAITS[column][0 if above else 1]
    if column.startswith(("mfcc", "chroma")):
        return None
    return f"{'high' if above else 'low'} {column_label(column)}"
