"""Drawing primitives for the book's explanatory figures: boxes, arrows and
labels on a matplotlib canvas measured in plain units.

Every figure must read in greyscale, so the primitives carry information by
text and line style (solid, dashed, dotted; thick or thin), never by colour
alone. `texts` lists what a figure says, for the tests that compare a drawing
with the configuration it was drawn from.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

FONT_SIZE = 10
# greys, not hues: light enough for black text on top (contrast > 4.5:1)
FILLS = {"network": "0.85", "code": "white", "data": "0.95"}


def canvas(width: float, height: float, inches_per_unit: float = 1.0):
    """A blank figure whose axes run from 0 to `width` and 0 to `height`.

    Args:
        width (`float`), height (`float`):
            The drawing's size in units (boxes and arrows are placed in
            them).
        inches_per_unit (`float`, defaults to 1.0):
            The printed size of one unit.

    Returns:
        `(Figure, Axes)`: axes without ticks or frame, equal aspect.
    """
    size = (width * inches_per_unit, height * inches_per_unit)
    fig, ax = plt.subplots(figsize=size, layout="constrained")
    ax.set(xlim=(0, width), ylim=(0, height), aspect="equal")
    ax.set_axis_off()
    return fig, ax


def box(ax, x, y, width, height, text, kind="network", line=None, **font):
    """A rounded box centred at (x, y) with `text` inside.

    Args:
        ax (`Axes`):
            From `canvas`.
        x, y, width, height (`float`):
            The centre and the size, in units.
        text (`str`):
            Lines separated by "\\n"; the first is set in bold, the others
            a point smaller.
        kind (`str`, defaults to "network"):
            A key of `FILLS`, which sets the fill and the border: "network"
            grey with a thick solid border, "code" white with a dashed one,
            "data" light grey with a thin solid one.
        line (`str`, *optional*):
            Overrides the border's style: "solid", "dashed" or "dotted".
        **font:
            Passed to the text (e.g. `fontsize=8`).

    Returns:
        `FancyBboxPatch`: the box.
    """
    patch = FancyBboxPatch(
        (x - width / 2, y - height / 2),
        width,
        height,
        boxstyle="round,pad=0,rounding_size=0.08",
        facecolor=FILLS[kind],
        edgecolor="black",
        linestyle=line or ("dashed" if kind == "code" else "solid"),
        linewidth=1.6 if kind == "network" else 1.0,
    )
    ax.add_patch(patch)
    options = {"ha": "center", "va": "center", "fontsize": FONT_SIZE, **font}
    lines = text.split("\n")
    step = 1.2 * options["fontsize"]  # points between baselines
    for k, line in enumerate(lines):
        offset = ((len(lines) - 1) / 2 - k) * step
        style = {"fontweight": "bold"} if k == 0 else {}
        size = options["fontsize"] - (1 if k else 0)
        ax.annotate(
            line,
            (x, y),
            xytext=(0, offset),
            textcoords="offset points",
            **{**options, "fontsize": size, **style},
        )
    return patch


def arrow(
    ax, start, end, text="", line="solid", bend=0.0, side=0.15, **font
):
    """An arrow from `start` to `end`, with an optional label beside it.

    Args:
        ax (`Axes`):
            From `canvas`.
        start, end (`tuple[float, float]`):
            Points in units.
        text (`str`, defaults to ""):
            Written beside the arrow's middle (above a horizontal one).
        line (`str`, defaults to "solid"):
            "solid", "dashed" or "dotted".
        bend (`float`, defaults to 0.0):
            Curvature: 0 is straight, ±0.3 a gentle arc.
        side (`float`, defaults to 0.15):
            How far the label sits from the arrow, in units.
        **font:
            Passed to the label.

    Returns:
        `FancyArrowPatch`: the arrow.
    """
    patch = FancyArrowPatch(
        start,
        end,
        arrowstyle="-|>",
        mutation_scale=12,
        connectionstyle=f"arc3,rad={bend}",
        linestyle=line,
        linewidth=1.2,
        color="black",
        shrinkA=0,
        shrinkB=0,
    )
    ax.add_patch(patch)
    if text:
        (x0, y0), (x1, y1) = start, end
        horizontal = abs(x1 - x0) >= abs(y1 - y0)
        x, y = (x0 + x1) / 2, (y0 + y1) / 2
        if horizontal:
            where = {"ha": "center", "va": "bottom"}
            y += side
        else:
            where = {"ha": "left", "va": "center"}
            x += side
        label(ax, x, y, text, **{**where, **font})
    return patch


def label(ax, x, y, text, **font):
    """Plain text at (x, y), centred unless `font` says otherwise.

    Returns:
        `matplotlib.text.Text`.
    """
    options = {"ha": "center", "va": "center", "fontsize": FONT_SIZE - 1}
    return ax.text(x, y, text, **{**options, **font})


def texts(fig) -> list[str]:
    """Every string drawn on `fig`'s axes, in drawing order: what a figure
    says, for a test to compare with the data it was drawn from."""
    return [text.get_text() for ax in fig.axes for text in ax.texts]
