"""What sets a cluster apart: its strongest standardised differences from the playlist (pure)."""

from __future__ import annotations

import numpy as np

#: Bars per chart, and the smallest difference (in standard deviations) worth a bar.
TOP = 6
MIN_DIFFERENCE = 0.05


def differences(
    scaled: np.ndarray, columns: list[str], labels: np.ndarray, cluster: int, top: int = TOP
) -> list[tuple[str, float]]:
    """``(column, difference)`` for cluster ``cluster`` (0-based), largest first.

    The difference is the cluster's mean minus the playlist's mean on the column,
    in the playlist's standard deviations (``scaled`` is standardised, one row per
    track, ``labels`` each track's cluster). Empty when the cluster has no tracks.
    """
    members = scaled[np.asarray(labels) == cluster]
    if members.size == 0 or scaled.shape[1] == 0:
        return []
    effect = members.mean(axis=0) - scaled.mean(axis=0)
    order = np.argsort(-np.abs(effect), kind="stable")
    return [(columns[i], float(effect[i])) for i in order[:top] if abs(effect[i]) >= MIN_DIFFERENCE]
