"""Chapter 3's loss explorer: loss and gradient curves on a two-class
softmax, for any target y₁.

Two faces of the same curves: `live_explorer()` is an ipywidgets control for
a running kernel (Jupyter, Colab, Binder), drawn by matplotlib;
`static_explorer()` draws them from their data as SVG in a self-contained
HTML slider that works on the published page, with no kernel and no network.
"""

import io
import json
import math
from collections.abc import Sequence
from html import escape

import matplotlib.pyplot as plt
import torch

from dlbook.losses import LOSSES, two_class_curves

MARGIN = torch.linspace(-6, 6, 241, dtype=torch.float64)  # z₁ − z₀
COLORS = {
    "KL": "tab:blue",
    "CE": "tab:green",
    "SE": "tab:red",
    "L1": "tab:purple",
}
# KL and CE share their gradient: KL is dashed and drawn on top, so both stay
# visible.
STYLES = {"KL": {"ls": "--", "zorder": 3}}
# Denser near 0 and 1, where the curves change fastest.
STATIC_Y1 = (
    0.001,
    0.01,
    0.05,
    *(round(0.1 + 0.05 * i, 2) for i in range(17)),
    0.95,
    0.99,
    0.999,
)


def draw(fig, y1: float, show: Sequence[str] = tuple(LOSSES)) -> None:
    """Draw the chosen losses (left) and their ∂/∂z₁ (right) for target y₁
    into `fig`.

    `fig` is a Figure or SubFigure, best made with layout="constrained".
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
    optimum = math.log(y1 / (1 - y1))  # the margin where p₁ = y₁
    for ax, title in ((ax_loss, "loss"), (ax_grad, "∂ loss / ∂z₁")):
        ax.axvline(optimum, color="gray", lw=0.8, ls=":")
        ax.axhline(0, color="gray", lw=0.5)
        ax.set_xlabel("$z_1 - z_0$")
        ax.set_title(f"{title}, target $y_1 = {y1:.3f}$")
        ax.set_xlim(-6, 6)
        ax.grid(alpha=0.3)
    ax_loss.set_ylim(-0.1, 4)
    ax_grad.set_ylim(-1.05, 1.05)
    if show:
        ax_loss.legend(loc="upper center", ncols=len(show))


def live_explorer():
    """An ipywidgets control: a y₁ slider and one checkbox per loss,
    redrawing both plots."""
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


# The static explorer's drawing: two panels of PANEL × HEIGHT pixels, in SVG.
PANEL, HEIGHT, PAD = 330, 220, 42
YLIM = {"loss": (-0.1, 4.0), "grad": (-1.05, 1.05)}
YTICKS = {"loss": (0, 1, 2, 3, 4), "grad": (-1, -0.5, 0, 0.5, 1)}
HEX = {"KL": "#1f77b4", "CE": "#2ca02c", "SE": "#d62728", "L1": "#9467bd"}


def to_pixels(
    panel: int, kind: str, x: float, y: float
) -> tuple[float, float]:
    """Data coordinates → SVG pixels in panel 0 (loss) or 1 (gradient)."""
    low, high = YLIM[kind]
    left = PAD + panel * (PANEL + PAD)
    return (
        left + (x + 6) / 12 * PANEL,
        10 + (high - y) / (high - low) * HEIGHT,
    )


def frame(y1: float, show: Sequence[str] = tuple(LOSSES), every: int = 6):
    """The polylines of one y₁: {"loss-KL": "x,y x,y ...", ...}, and the
    optimum's x in both panels; every `every`-th point of MARGIN."""
    curves = two_class_curves(y1, MARGIN)
    margin = MARGIN[::every].tolist()
    lines = {}
    # KL last: its dashes are drawn over CE, with which it shares the
    # gradient.
    for name in sorted(show, key=lambda name: name == "KL"):
        for panel, (kind, values) in enumerate(
            zip(YLIM, curves[name], strict=True)
        ):
            points = [
                to_pixels(panel, kind, x, y)
                for x, y in zip(
                    margin, values[::every].tolist(), strict=True
                )
            ]
            lines[f"{kind}-{name}"] = " ".join(
                f"{a:.0f},{b:.1f}" for a, b in points
            )
    optimum = math.log(y1 / (1 - y1))
    marks = [to_pixels(panel, "loss", optimum, 0)[0] for panel in (0, 1)]
    return {"lines": lines, "optimum": [round(mark, 1) for mark in marks]}


def axes_svg() -> str:
    """The fixed parts: frames, zero lines, ticks, titles and the legend."""
    parts = []
    for panel, kind in enumerate(YLIM):
        left, top = PAD + panel * (PANEL + PAD), 10
        parts.append(
            f'<rect x="{left}" y="{top}" width="{PANEL}" height="{HEIGHT}" '
            'fill="none" stroke="#888"/>'
        )
        for x in (-6, -3, 0, 3, 6):
            px, _ = to_pixels(panel, kind, x, 0)
            parts.append(
                f'<text x="{px:.1f}" y="{top + HEIGHT + 14}" '
                f'text-anchor="middle">{x}</text>'
            )
        for y in YTICKS[kind]:
            _, py = to_pixels(panel, kind, -6, y)
            grey = "#bbb" if y else "#888"
            parts.append(
                f'<line x1="{left}" x2="{left + PANEL}" y1="{py:.1f}" '
                f'y2="{py:.1f}" stroke="{grey}" stroke-width="0.5"/>'
                f'<text x="{left - 4}" y="{py + 4:.1f}" '
                f'text-anchor="end">{y:g}</text>'
            )
        title = "loss" if kind == "loss" else "∂ loss / ∂z₁"
        parts.append(
            f'<text x="{left + PANEL / 2}" y="{top + HEIGHT + 30}" '
            f'text-anchor="middle">z₁ − z₀ ({title})</text>'
        )
    for index, name in enumerate(LOSSES):
        x = PAD + 10 + 60 * index
        dash = ' stroke-dasharray="6 3"' if name == "KL" else ""
        parts.append(
            f'<line x1="{x}" x2="{x + 22}" y1="22" y2="22" '
            f'stroke="{HEX[name]}" stroke-width="2"{dash}/>'
            f'<text x="{x + 26}" y="26">{name}</text>'
        )
    return "\n".join(parts)


def static_explorer(
    y1_values: Sequence[float] = STATIC_Y1,
    start: float = 0.5,
    element_id: str = "loss-explorer",
) -> str:
    """A self-contained HTML slider drawing the curves as SVG from their
    data: needs neither kernel nor network."""
    if start not in y1_values:
        raise ValueError(f"start={start} is not among the frames' y1 values")
    frames = [frame(y1) for y1 in y1_values]
    labels = [f"{y1:.3f}" for y1 in y1_values]
    index = list(y1_values).index(start)
    first = frames[index]
    alt = (
        "Loss curves (left) and their gradients with respect to z1 (right) "
        "for KL, CE, SE, L1"
    )
    polylines = "\n".join(
        f'<polyline data-curve="{key}" points="{points}" fill="none" '
        f'stroke="{HEX[key.split("-")[1]]}" stroke-width="1.6" '
        f'clip-path="url(#{escape(element_id)}-{key.split("-")[0]})"'
        + (' stroke-dasharray="6 3"' if key.endswith("KL") else "")
        + "/>"
        for key, points in first["lines"].items()
    )
    clips = "".join(
        f'<clipPath id="{escape(element_id)}-{kind}">'
        f'<rect x="{PAD + i * (PANEL + PAD)}" y="10" width="{PANEL}" '
        f'height="{HEIGHT}"/></clipPath>'
        for i, kind in enumerate(YLIM)
    )
    optimum = "".join(
        f'<line class="optimum" x1="{x}" x2="{x}" y1="10" '
        f'y2="{10 + HEIGHT}" stroke="gray" stroke-dasharray="2 3"/>'
        for x in first["optimum"]
    )
    width = 2 * (PANEL + PAD) + 10
    return f"""<div class="dlbook-explorer" id="{escape(element_id)}">
<svg viewBox="0 0 {width} {HEIGHT + 50}" role="img" aria-label="{alt}"
 style="max-width:100%;font:11px sans-serif" xmlns="http://www.w3.org/2000/svg">
<title>{alt}</title><defs>{clips}</defs>
{axes_svg()}
{optimum}
{polylines}
</svg>
<div style="display:flex;gap:1em;align-items:center">
<label for="{escape(element_id)}-slider">target y₁</label>
<input type="range" id="{escape(element_id)}-slider" min="0"
 max="{len(frames) - 1}" step="1" value="{index}" style="flex:1">
<output for="{escape(element_id)}-slider">y₁ = {labels[index]}</output>
</div>
<script>
(function () {{
  const root = document.getElementById({json.dumps(element_id)});
  const frames = {json.dumps(frames, separators=(",", ":"))};
  const labels = {json.dumps(labels)};
  const slider = root.querySelector("input");
  const value = root.querySelector("output");
  slider.addEventListener("input", function () {{
    const frame = frames[slider.value];
    for (const line of root.querySelectorAll("polyline")) {{
      line.setAttribute("points", frame.lines[line.dataset.curve]);
    }}
    root.querySelectorAll("line.optimum").forEach(function (line, i) {{
      line.setAttribute("x1", frame.optimum[i]);
      line.setAttribute("x2", frame.optimum[i]);
    }});
    value.textContent = "y₁ = " + labels[slider.value];
  }});
}})();
</script>
</div>"""
