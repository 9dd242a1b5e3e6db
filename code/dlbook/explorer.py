"""Chapter 3's loss explorer: loss and gradient curves on a two-class softmax, for any target y₁.

Two faces of one drawing function: `live_explorer()` is an ipywidgets control for a running
kernel (Jupyter, Colab, Binder); `static_explorer()` pre-renders frames into a self-contained
HTML slider that works on the published page, with no kernel and no network.
"""

import base64
import io
import json
import math
from collections.abc import Sequence
from html import escape

import matplotlib.pyplot as plt
import torch

from dlbook.losses import LOSSES, two_class_curves

MARGIN = torch.linspace(-6, 6, 241, dtype=torch.float64)  # z₁ − z₀
COLORS = {"KL": "tab:blue", "CE": "tab:green", "SE": "tab:red", "L1": "tab:purple"}
# KL and CE share their gradient: KL is dashed and drawn on top, so both stay visible.
STYLES = {"KL": {"ls": "--", "zorder": 3}}
# Denser near 0 and 1, where the curves change fastest.
STATIC_Y1 = (0.001, 0.01, 0.05, *(round(0.1 + 0.05 * i, 2) for i in range(17)), 0.95, 0.99, 0.999)


def draw(fig, y1: float, show: Sequence[str] = tuple(LOSSES)) -> None:
    """Draw the chosen losses (left) and their ∂/∂z₁ (right) for target y₁ into `fig`.

    `fig` is a Figure or SubFigure, best made with layout="constrained".
    """
    unknown = set(show) - set(LOSSES)
    if unknown:
        raise ValueError(f"unknown loss {sorted(unknown)}; choose from {list(LOSSES)}")
    if not 0 < y1 < 1:
        raise ValueError(f"target y1 must lie strictly between 0 and 1, got {y1}")
    fig.clear()
    ax_loss, ax_grad = fig.subplots(1, 2)
    curves = two_class_curves(y1, MARGIN)
    for name in show:
        loss, grad = curves[name]
        style = {"color": COLORS[name], "label": name, **STYLES.get(name, {})}
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
    """An ipywidgets control: a y₁ slider and one checkbox per loss, redrawing both plots."""
    import ipywidgets as widgets

    slider = widgets.FloatSlider(
        value=0.5, min=0.001, max=0.999, step=0.001, readout_format=".3f",
        description="target y₁", continuous_update=False,
    )  # fmt: skip
    boxes = {name: widgets.Checkbox(value=True, description=name, indent=False) for name in LOSSES}

    def update(y1, **checked):
        fig = plt.figure(figsize=(10, 3.6), layout="constrained")
        draw(fig, y1, [name for name, on in checked.items() if on])
        plt.show()

    plots = widgets.interactive_output(update, {"y1": slider, **boxes})
    return widgets.VBox([slider, widgets.HBox(list(boxes.values())), plots])


def render_frames(y1_values: Sequence[float], show: Sequence[str] = tuple(LOSSES)) -> list[str]:
    """PNG frames (base64) of `draw` for each y₁."""
    fig = plt.figure(figsize=(10, 3.6), dpi=72, layout="constrained")
    frames = []
    for y1 in y1_values:
        draw(fig, y1, show)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})  # no version stamp
        frames.append(base64.b64encode(buffer.getvalue()).decode("ascii"))
    plt.close(fig)
    return frames


def static_explorer(
    y1_values: Sequence[float] = STATIC_Y1, start: float = 0.5, element_id: str = "loss-explorer"
) -> str:
    """A self-contained HTML slider over pre-rendered frames: needs neither kernel nor network."""
    if start not in y1_values:
        raise ValueError(f"start={start} is not among the frames' y1 values")
    frames = render_frames(y1_values)
    labels = [f"{y1:.3f}" for y1 in y1_values]
    index = list(y1_values).index(start)
    alt = "Loss curves (left) and their gradients with respect to z1 (right) for KL, CE, SE, L1"
    return f"""<div class="dlbook-explorer" id="{escape(element_id)}">
<img src="data:image/png;base64,{frames[index]}" alt="{alt}" style="max-width:100%">
<div style="display:flex;gap:1em;align-items:center">
<label for="{escape(element_id)}-slider">target y₁</label>
<input type="range" id="{escape(element_id)}-slider" min="0" max="{len(frames) - 1}" step="1"
 value="{index}" style="flex:1">
<output for="{escape(element_id)}-slider">y₁ = {labels[index]}</output>
</div>
<script>
(function () {{
  const root = document.getElementById({json.dumps(element_id)});
  const frames = {json.dumps(frames)};
  const labels = {json.dumps(labels)};
  const img = root.querySelector("img"), slider = root.querySelector("input"),
        value = root.querySelector("output");
  slider.addEventListener("input", function () {{
    img.src = "data:image/png;base64," + frames[slider.value];
    value.textContent = "y₁ = " + labels[slider.value];
  }});
}})();
</script>
</div>"""
