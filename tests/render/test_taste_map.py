"""The taste map picture and its contours; the taste markdown page (pure)."""

from __future__ import annotations

import numpy as np

from bot.render.taste_map import CONTOUR_SHARE, _grid, density_level, render_taste_map


def test_the_contour_level_encloses_most_of_a_playlists_tracks() -> None:
    rng = np.random.default_rng(0)
    points = rng.normal(size=(500, 2))
    grid = _grid(np.vstack([points, points + 6]))
    found = density_level(points, *grid)
    assert found is not None
    density, level = found
    cells = np.clip(
        np.rint((points - [grid[0][0, 0], grid[1][0, 0]])
                / [grid[0][0, 1] - grid[0][0, 0], grid[1][1, 0] - grid[1][0, 0]]).astype(int),
        0, density.shape[0] - 1,
    )  # fmt: skip
    inside = np.mean(density[cells[:, 1], cells[:, 0]] >= level)
    assert abs(inside - CONTOUR_SHARE) < 0.05
    far = density[:, -5:]  # the other cloud's corner: outside this contour
    assert far.max() < level


def test_too_few_or_flat_points_get_no_contour() -> None:
    grid = _grid(np.array([[0.0, 0.0], [1.0, 1.0]]))
    assert density_level(np.array([[0.1, 0.1]] * 30), *grid) is None
    assert density_level(np.array([[0.0, 0.0], [1.0, 1.0]]), *grid) is None
    line = np.column_stack([np.linspace(0, 1, 20), np.zeros(20)])
    assert density_level(line, *grid) is None


def test_the_picture_is_a_png_whatever_the_names_and_sizes() -> None:
    rng = np.random.default_rng(1)
    points = rng.normal(size=(60, 2))
    groups = np.repeat([0, 1, 2], 20)
    names = ["$\\frac{1}{0}$ (20)", "夜 שלום ☾ (20)", "_hidden (0)", "empty (0)"]
    png = render_taste_map(points, groups, names, title="Sounds of $x$", x_label="a", y_label="b")
    assert png.startswith(b"\x89PNG")
    assert render_taste_map(np.zeros((0, 2)), np.zeros(0, dtype=int), ["a", "b"]).startswith(
        b"\x89PNG"
    )
