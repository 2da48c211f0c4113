"""Short human names for clusters from what sets each apart from the playlist (pure)."""

from __future__ import annotations

import numpy as np

from bot.analysis.vocabulary import MIN_NATIVE_EFFECT, trait_word

#: A trait is named only when the cluster's mean is at least this many standard
#: deviations (of the whole playlist) away from the playlist's mean.
MIN_EFFECT = 0.35
WORDS_PER_NAME = 3
FALLBACK = "middle of the road"


def cluster_traits(
    scaled: np.ndarray,
    columns: list[str],
    labels: np.ndarray,
    spread: np.ndarray | None = None,
) -> list[list[str]]:
    """Per cluster (by label 0..k-1), its trait words, strongest first.

    ``scaled`` is the standardised (unweighted) matrix, shape (n, len(columns));
    ``spread`` the columns' standard deviations in their own units, used to ignore
    differences too small to hear (see ``MIN_NATIVE_EFFECT``).
    """
    k = int(labels.max()) + 1 if len(labels) else 0
    result: list[list[str]] = []
    for c in range(k):
        members = scaled[labels == c]
        if members.size == 0 or scaled.shape[1] == 0:
            result.append([])
            continue
        effect = members.mean(axis=0) - scaled.mean(axis=0)
        words: list[str] = []
        for i in np.argsort(-np.abs(effect), kind="stable"):
            if abs(effect[i]) < MIN_EFFECT:
                break
            floor = MIN_NATIVE_EFFECT.get(columns[i])
            if spread is not None and floor and abs(effect[i] * spread[i]) < floor:
                continue
            word = trait_word(columns[i], bool(effect[i] > 0))
            if word and word not in words:
                words.append(word)
        result.append(words)
    return result


def name_clusters(traits: list[list[str]]) -> list[str]:
    """Distinct names ('fast · high energy · danceable'), one per cluster.

    A name that would repeat another grows by further traits; if the traits run out
    the name is suffixed with its cluster number, so names always differ.
    """
    names: list[str] = []
    for number, words in enumerate(traits, start=1):
        count = min(WORDS_PER_NAME, len(words))
        name = " · ".join(words[:count]) if words else FALLBACK
        while name in names and count < len(words):
            count += 1
            name = " · ".join(words[:count])
        if name in names:
            name = f"{name} ({number})"
        names.append(name)
    return names
