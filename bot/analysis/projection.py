"""A 2-D picture of the feature space with axes named by what drives them (pure)."""

from __future__ import annotations

import numpy as np
from sklearn.decomposition import PCA

from bot.analysis.vocabulary import column_label
from bot.model import Projection


def _axis_label(loadings: np.ndarray, columns: list[str], share: float) -> str:
    """'energy, loudness ↔ acousticness (41%)': strongest features on each side."""
    order = np.argsort(-np.abs(loadings))
    strong = [i for i in order[:4] if abs(loadings[i]) >= 0.25 * abs(loadings[order[0]])][:3]
    plus = [column_label(columns[i]) for i in strong if loadings[i] > 0]
    minus = [column_label(columns[i]) for i in strong if loadings[i] < 0]
    left = ", ".join(minus) or "less"
    right = ", ".join(plus) or "more"
    return f"{left} ← → {right}  ({share:.0%} of variation)"


def project_2d(matrix: np.ndarray, columns: list[str], random_state: int = 0) -> Projection:
    """Principal-component positions, shape (n, 2); degenerate inputs get flat axes."""
    n, d = matrix.shape
    if n < 2 or d == 0:
        return Projection(np.zeros((n, 2)), "", "")
    components = min(2, d, n)
    pca = PCA(
        n_components=components, random_state=random_state, svd_solver="full" if n < 500 else "auto"
    )
    points = pca.fit_transform(matrix)
    labels = [
        _axis_label(pca.components_[i], columns, float(pca.explained_variance_ratio_[i]))
        for i in range(components)
    ]
    if components == 1:
        points = np.column_stack([points[:, 0], np.zeros(n)])
        labels.append("")
    return Projection(points, labels[0], labels[1])
