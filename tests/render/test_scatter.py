"""The scatter PNG: a real image, safe to draw from threads, quiet about missing glyphs."""

from __future__ import annotations

import io
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from matplotlib.image import imread

from bot.render.scatter import BACKGROUND, legend_entries, render_scatter


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


def test_each_cluster_gets_its_own_colour() -> None:
    image = imread(io.BytesIO(draw(n=600)))[:, :, :3]
    colours = {tuple(np.round(px, 1)) for px in image.reshape(-1, 3)[::7]}
    assert len(colours) > 5


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
