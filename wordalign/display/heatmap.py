"""The heatmap: one pair's score matrix with the extracted and the gold links marked (matplotlib)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..errors import ConfigError
from ..types import GoldAlignment, Link

LINK_COLOUR = "#ff0000"  # extracted links: filled dots
GOLD_COLOUR = "#000000"  # gold links: open squares
# Margins around the cells, in inches (labels left and on top, the colour bar right): fixed, so
# a cell's pixels can be computed (:func:`cell_centre`).
LEFT, TOP, RIGHT, BOTTOM = 1.4, 1.2, 1.0, 0.2
CELL_INCHES = 0.35
DPI = 100


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only, no screen
        import matplotlib.pyplot as plt
    except ImportError:
        raise ConfigError("the heatmap needs matplotlib: pip install 'wordalign[plot]'") from None
    return plt


def figure_size(n_src: int, n_tgt: int) -> tuple[float, float]:
    """Inches of a heatmap of ``n_src`` × ``n_tgt`` square cells with its margins."""
    return LEFT + CELL_INCHES * n_tgt + RIGHT, TOP + CELL_INCHES * n_src + BOTTOM


def heatmap(matrix: np.ndarray, src: Sequence[str], tgt: Sequence[str], links: Sequence[Link], path: str,
            gold: GoldAlignment | None = None, label: str = "score", image_format: str = "png") -> None:
    """Draw ``matrix`` (rows: source words, columns: target words) to ``path`` as a PNG or SVG,
    a red dot on each extracted link and a black square on each gold link.

    Parameters
    ----------
    matrix : numpy.ndarray
        ``(len(src), len(tgt))`` scores: cosine similarities or span probabilities.
    src, tgt : sequence of str
    links : sequence of (int, int)
    path : str
    gold : GoldAlignment, optional
    label : str
        What the colour bar says the scores are.
    image_format : {"png", "svg"}
    """
    plt = _pyplot()
    width, height = figure_size(len(src), len(tgt))
    figure = plt.figure(figsize=(width, height), dpi=DPI)
    axes = figure.add_axes((LEFT / width, BOTTOM / height, CELL_INCHES * len(tgt) / width,
                            CELL_INCHES * len(src) / height))
    image = axes.imshow(matrix, cmap="Greys", vmin=min(0.0, float(matrix.min())), vmax=1.0, aspect="auto",
                        interpolation="nearest")
    axes.set_xticks(range(len(tgt)), tgt, rotation=90)
    axes.set_yticks(range(len(src)), src)
    axes.xaxis.tick_top()
    if gold is not None and gold.possible:
        rows, cols = zip(*sorted(gold.possible))
        axes.scatter(cols, rows, marker="s", s=(CELL_INCHES * 72 * 0.9) ** 2, facecolors="none",
                     edgecolors=GOLD_COLOUR, linewidths=1.5, label="gold")
    if links:
        rows, cols = zip(*sorted(links))
        axes.scatter(cols, rows, marker="o", s=(CELL_INCHES * 72 * 0.35) ** 2, color=LINK_COLOUR, label="links")
    colour_bar = figure.add_axes(((LEFT + CELL_INCHES * len(tgt) + 0.15) / width, BOTTOM / height, 0.12 / width,
                                  CELL_INCHES * len(src) / height))
    figure.colorbar(image, cax=colour_bar, label=label)
    figure.savefig(path, dpi=DPI, format=image_format)
    plt.close(figure)


def cell_centre(i: int, j: int, n_src: int, n_tgt: int) -> tuple[int, int]:
    """The pixel ``(x, y)`` (from the top left) of the centre of cell ``(i, j)`` in a saved PNG."""
    return round((LEFT + CELL_INCHES * (j + 0.5)) * DPI), round((TOP + CELL_INCHES * (i + 0.5)) * DPI)
