"""Chapter 3's loss explorer: loss and gradient curves on a two-class
softmax, for any target y₁, drawn by matplotlib.

`live_explorer()` is an ipywidgets control for a running kernel (Jupyter,
Colab, Binder). The published page has no kernel: explorer_html.py draws the
same curves from their data as SVG in a self-contained HTML slider.
"""

import io
from collections.abc import Sequence

import matplotlib.pyplot as plt

from dlbook.explorer_style import (
    COLORS,
    DASHES,
    MARGIN,
    TITLES,
    XLIM,
    YLIM,
    ZORDER,
    optimum,
)
from dlbook.losses import LOSSES, two_class_curves

# matplotlib's form of the shared dash patterns and stacking
STYLES = {
    name: {
        "ls": (0, dashes) if dashes else "-",
        "zorder": ZORDER[name],
    }
    for name, dashes in DASHES.items()
}


def draw(fig, y1: float, show: Sequence[str] = tuple(LOSSES)) -> None:
    """Draw the chosen losses (left) and their ∂/∂z₁ (right) for target y₁
    into `fig`.

    Args:
        fig (`Figure` or `SubFigure`):
            Cleared and filled; best made with layout="constrained".
        y1 (`float`):
            The target's probability of class 1, strictly between 0 and 1.
        show (`Sequence[str]`, defaults to all of `LOSSES`):
            The losses to draw, by name: "KL", "CE", "SE", "L1".

    Raises:
        `ValueError`: an unknown loss, or y1 outside (0, 1).
    """
    unknown = set(show) - set(LOSSES)
    if unknown:
        raise ValueError(
            f"unknown loss {sorted(unknown)}; choose from {list(LOSSES)}"
        )
    if not 0 < y1 < 1:
        raise ValueError(
            f"target y1 must lie strictly between 0 and 1, got {y1}"
        )
    fig.clear()
    ax_loss, ax_grad = fig.subplots(1, 2)
    curves = two_class_curves(y1, MARGIN)
    for name in show:
        loss, grad = curves[name]
        style = {
            "color": COLORS[name],
            "label": name,
            **STYLES.get(name, {}),
        }
        ax_loss.plot(MARGIN, loss, **style)
        ax_grad.plot(MARGIN, grad, **style)
    for ax, kind in zip((ax_loss, ax_grad), YLIM, strict=True):
        ax.axvline(optimum(y1), color="gray", lw=0.8, ls=":")
        ax.axhline(0, color="gray", lw=0.5)
        ax.set_xlabel("$z_1 - z_0$")
        ax.set_title(f"{TITLES[kind]}, target $y_1 = {y1:.3f}$")
        ax.set_xlim(*XLIM)
        ax.set_ylim(*YLIM[kind])
        ax.grid(alpha=0.3)
    if show:
        ax_loss.legend(loc="upper center", ncols=len(show))


def live_explorer():
    """An ipywidgets control: a y₁ slider and one checkbox per loss,
    redrawing both plots.

    Returns:
        `ipywidgets.VBox`: the slider, the checkboxes, the plots. It needs
        a running kernel; the page shows `static_explorer`'s HTML.
    """
    import ipywidgets as widgets
    from IPython.display import Image

    slider = widgets.FloatSlider(
        value=0.5, min=0.001, max=0.999, step=0.001, readout_format=".3f",
        description="target y₁", continuous_update=False,
    )  # fmt: skip
    boxes = {
        name: widgets.Checkbox(value=True, description=name, indent=False)
        for name in LOSSES
    }

    plots = widgets.Output()

    # The figure goes into the Output widget's outputs directly, not through
    # `with plots:` capture (interactive_output), whose message routing once
    # left a notebook runner waiting forever for the cell to finish.
    def redraw(change=None):
        fig = plt.figure(figsize=(10, 3.6), layout="constrained")
        shown = [name for name, box in boxes.items() if box.value]
        draw(fig, slider.value, shown)
        png = io.BytesIO()
        fig.savefig(png, format="png")
        plt.close(fig)  # drawn in the widget only
        plots.outputs = ()
        plots.append_display_data(Image(png.getvalue()))

    for control in (slider, *boxes.values()):
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([slider, widgets.HBox(list(boxes.values())), plots])
