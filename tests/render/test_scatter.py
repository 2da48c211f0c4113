"""The scatter PNG: a real image, safe to draw from threads, quiet about missing glyphs."""

from __future__ import annotations

import io
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from matplotlib.image import imread

from bot.render.scatter import BACKGROUND, PALETTE, PANEL, legend_entries, render_scatter


def draw(n: int = 200, title: str = "Clusters in Test") -> bytes:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, n)
    points = rng.normal(size=(n, 2)) + labels[:, None] * 3
    legend = legend_entries([1, 2, 3], ["fast · loud", "アコースティック", "שקט"], [70, 70, 60])
    return render_scatter(points, labels, legend, title=title, x_label="a ← → b", y_label="c ← → d")


def test_png_is_wide_enough_and_dark() -> None:
    image = imread(io.BytesIO(draw()))
    height, width = image.shape[:2]
    assert width >= 900 and 500 <= height < width
    corner = image[2, 2, :3]
    expected = np.array([int(BACKGROUND[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    assert np.allclose(corner, expected, atol=0.02)


def _share_near(image: np.ndarray, colour: str, over: str) -> float:
    """Share of pixels showing ``colour`` drawn at 90% opacity over ``over`` (or denser)."""
    rgb = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    ground = np.array([int(over[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    single, stacked = 0.9 * rgb + 0.1 * ground, 0.99 * rgb + 0.01 * ground
    pixels = image.reshape(-1, 3)
    near = (np.abs(pixels - single).max(axis=1) < 0.04) | (
        np.abs(pixels - stacked).max(axis=1) < 0.04
    )
    return float(near.mean())


def test_each_cluster_gets_its_own_colour() -> None:
    image = imread(io.BytesIO(draw(n=600)))[:, :, :3]
    shares = [_share_near(image, PALETTE[c], PANEL) for c in range(3)]
    assert all(share > 0.0005 for share in shares), shares  # every cluster is visible
    assert _share_near(image, PALETTE[3], PANEL) == 0  # no fourth cluster's colour
    # one cluster: only the first colour appears
    points = np.random.default_rng(1).normal(size=(300, 2))
    legend = legend_entries([1], ["the whole playlist"], [300])
    single = imread(io.BytesIO(render_scatter(points, [0] * 300, legend, title="t")))[:, :, :3]
    assert _share_near(single, PALETTE[0], PANEL) > 0.0005
    assert max(_share_near(single, PALETTE[c], PANEL) for c in (1, 2)) == 0


def test_concurrent_renders_from_threads_give_identical_images() -> None:
    with ThreadPoolExecutor(4) as pool:
        images = list(pool.map(lambda _: draw(), range(4)))
    assert all(img == images[0] for img in images)


def test_missing_glyphs_do_not_spam_warnings() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        draw(title="Clusters in 怪物 · ก่อนฤดูฝน · עושה לי צרות · 💚")
    assert not [w for w in caught if "Glyph" in str(w.message)]


def test_legend_names_are_shortened() -> None:
    (entry,) = legend_entries([1], ["x" * 100], [5])
    assert entry.startswith("#1 x") and entry.endswith("… (5)") and len(entry) < 50
