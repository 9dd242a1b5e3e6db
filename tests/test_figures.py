"""Figures without colour (WCAG 1.4.1): in every plot with several curves, each curve's legend
sample (its colour, width, dash pattern and marker) stays distinct from every other's when
drawn in greyscale, and under a simulation of deuteranopia (red-green colour blindness), so
a reader can match each curve to its entry either way."""

import contextlib

import jupytext
import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from helpers import ROOT

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

# Machado, Oliveira & Fernandes (2009): deuteranopia at severity 1, on linear RGB.
DEUTERANOPIA = np.array(
    [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]]
)
# Two samples differ where a pixel's value differs by this much (0-1 scale)...
PIXEL = 0.1
# ...on at least this share of the pixels either one draws on.
SHARE = 0.1


def linear(rgb):
    return np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)


def srgb(lin):
    lin = np.clip(lin, 0, 1)
    return np.where(lin <= 0.0031308, 12.92 * lin, 1.055 * lin ** (1 / 2.4) - 0.055)


def greyscale(rgb):
    return (linear(rgb) @ np.array([0.2126, 0.7152, 0.0722]))[..., None]


def deuteranopia(rgb):
    return srgb(linear(rgb) @ DEUTERANOPIA.T)


def sample(line: Line2D) -> np.ndarray:
    """The curve's legend sample, drawn alone on white: RGB in [0, 1]."""
    fig = Figure(figsize=(1.6, 0.3), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    copy = Line2D([0.02, 0.98], [0, 0])
    copy.update_from(line)
    copy.set_markevery(None)
    ax.add_line(copy)
    copy.set_transform(ax.transData)  # update_from copied the curve's own
    ax.set(xlim=(0, 1), ylim=(-1, 1))
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3] / 255


def distinct(a: np.ndarray, b: np.ndarray) -> bool:
    drawn = (np.abs(1 - a).max(-1) > PIXEL) | (np.abs(1 - b).max(-1) > PIXEL)
    differ = np.abs(a - b).max(-1) > PIXEL
    return differ[drawn].mean() >= SHARE


def indistinct(fig, where: str) -> list[str]:
    """Pairs of curves in one panel of `fig` that look alike, in greyscale or to a reader
    with deuteranopia, each named: where, panel, the two labels, and how."""
    found = []
    for number, ax in enumerate(fig.get_axes(), 1):
        curves = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
        samples = [sample(line) for line in curves]
        pairs = [(i, j) for i in range(len(curves)) for j in range(i + 1, len(curves))]
        for i, j in pairs:
            for vision, view in (("greyscale", greyscale), ("deuteranopia", deuteranopia)):
                if not distinct(view(samples[i]), view(samples[j])):
                    labels = curves[i].get_label(), curves[j].get_label()
                    found.append(f"{where}, panel {number}: {labels} look alike in {vision}")
    return found


def test_a_plot_told_apart_by_colour_alone_is_named():
    """The explorer's colours before this check: green and red, both solid."""
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="tab:green", label="CE")
    ax.plot([0, 1], [1, 0], color="tab:red", label="SE")
    ax.plot([0, 1], [1, 1], color="tab:blue", ls="--", label="KL")
    found = indistinct(fig, "planted")
    assert found == [
        "planted, panel 1: ('CE', 'SE') look alike in greyscale",
        "planted, panel 1: ('CE', 'SE') look alike in deuteranopia",
    ]


def test_the_loss_explorer_tells_its_curves_apart():
    from dlbook.explorer import draw

    fig = Figure(figsize=(10, 3.6))
    draw(fig, 0.3)
    assert len(fig.get_axes()[0].get_lines()) >= 4
    assert indistinct(fig, "chapter 3's explorer") == []


@contextlib.contextmanager
def captured_figures():
    """Run code that calls plt.show(); keep each figure it shows."""
    shown, show = [], plt.show
    plt.show = lambda *args, **kwargs: shown.append(plt.gcf()) or plt.figure()
    try:
        with matplotlib.rc_context():  # a chapter's plt.style.use stays in it
            yield shown
    finally:
        plt.show = show
        plt.close("all")


@pytest.mark.book  # runs a chapter's code (seconds)
@pytest.mark.parametrize("chapter", ["book/01-power-rule", "book/02-softmax"])
def test_every_plot_of_a_chapter_tells_its_curves_apart(chapter, monkeypatch):
    """Chapters 1 and 2 run in seconds: their code, as the page runs it, in this process."""
    monkeypatch.chdir(ROOT / "book")
    notebook = jupytext.read(ROOT / f"{chapter}.md")
    namespace = {}
    with captured_figures() as shown:
        for cell in notebook.cells:
            # as the page runs it: without the cells the build skips (hidden tests)
            skipped = "skip-execution" in cell.metadata.get("tags", [])
            if cell.cell_type == "code" and not skipped:
                exec(compile(cell.source, chapter, "exec"), namespace)  # noqa: S102
        assert shown, f"{chapter} shows no figure"
        several = [fig for fig in shown if any(len(ax.get_lines()) > 1 for ax in fig.axes)]
        assert several
        for number, fig in enumerate(shown, 1):
            assert indistinct(fig, f"{chapter}, figure {number}") == []
