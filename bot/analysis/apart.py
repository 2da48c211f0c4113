"""What sets a cluster apart: its strongest standardised differences from the playlist (pure)."""

from __future__ import annotations

import numpy as np

#: Bars per chart, and the smallest difference (in standard deviations) worth a bar.
TOP = 6
MIN_DIFFERENCE = 0.05


def differences(
    scaled: np.ndarray,
    columns: list[str],
    labels: np.ndarray,
    cluster: int,
    top: int = TOP,
    rows: np.ndarray | None = None,
) -> list[tuple[str, float]]:
    """``(column, difference)`` for cluster ``cluster`` (0-based), largest first.

    The difference is the cluster's mean minus the playlist's mean on the column,
    in the playlist's standard deviations (``scaled`` is standardised, one row per
    track, ``labels`` each track's cluster). ``rows`` (a boolean mask) keeps only
    those tracks, standardised again among themselves: the tracks placed without
    sound features are left out so their filled-in values never shape the bars.
    Empty when the cluster has no tracks.
    """
    labels = np.asarray(labels)
    if rows is not None:
        scaled, labels = scaled[rows], labels[rows]
        spread = scaled.std(axis=0) if len(scaled) else np.ones(scaled.shape[1])
        scaled = (scaled - scaled.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    members = scaled[labels == cluster]
    if members.size == 0 or scaled.shape[1] == 0:
        return []
    effect = members.mean(axis=0) - scaled.mean(axis=0)
    order = np.argsort(-np.abs(effect), kind="stable")
    return [(columns[i], float(effect[i])) for i in order[:top] if abs(effect[i]) >= MIN_DIFFERENCE]
