"""Chapter 3's loss explorer on the published page: a self-contained HTML
slider that draws the curves from their data as SVG, with no kernel and no
network (explorer.py draws the same curves with matplotlib, live)."""

import json
from collections.abc import Sequence
from html import escape

from matplotlib.colors import to_hex

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


# Two panels of PANEL × HEIGHT pixels.
PANEL, HEIGHT, PAD = 330, 220, 42
YTICKS = {"loss": (0, 1, 2, 3, 4), "grad": (-1, -0.5, 0, 0.5, 1)}
HEX = {name: to_hex(color) for name, color in COLORS.items()}  # as live


def dash(name: str, width: float) -> str:
    """The curve's dash pattern, as live, as an SVG attribute."""
    pattern = " ".join(f"{width * length:g}" for length in DASHES[name])
    return f' stroke-dasharray="{pattern}"' if pattern else ""


def to_pixels(
    panel: int, kind: str, x: float, y: float
) -> tuple[float, float]:
    """Data coordinates → SVG pixels in panel 0 (loss) or 1 (gradient)."""
    low, high = YLIM[kind]
    left = PAD + panel * (PANEL + PAD)
    return (
        left + (x - XLIM[0]) / (XLIM[1] - XLIM[0]) * PANEL,
        10 + (high - y) / (high - low) * HEIGHT,
    )


def frame(y1: float, show: Sequence[str] = tuple(LOSSES), every: int = 6):
    """The polylines of one y₁: {"loss-KL": "x,y x,y ...", ...}, and the
    optimum's x in both panels; every `every`-th point of MARGIN."""
    curves = two_class_curves(y1, MARGIN)
    margin = MARGIN[::every].tolist()
    lines = {}
    # SVG stacks in document order: the higher ZORDER (KL) goes last.
    for name in sorted(show, key=ZORDER.__getitem__):
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
    marks = [to_pixels(panel, "loss", optimum(y1), 0)[0] for panel in (0, 1)]
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
        for x in range(XLIM[0], XLIM[1] + 1, 3):
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
        parts.append(
            f'<text x="{left + PANEL / 2}" y="{top + HEIGHT + 30}" '
            f'text-anchor="middle">z₁ − z₀ ({TITLES[kind]})</text>'
        )
    for index, name in enumerate(LOSSES):
        x = PAD + 10 + 60 * index
        parts.append(
            f'<line x1="{x}" x2="{x + 22}" y1="22" y2="22" '
            f'stroke="{HEX[name]}" stroke-width="2"{dash(name, 2)}/>'
            f'<text x="{x + 26}" y="26">{name}</text>'
        )
    return "\n".join(parts)


def static_explorer(
    y1_values: Sequence[float] = STATIC_Y1,
    start: float = 0.5,
    element_id: str = "loss-explorer",
) -> str:
    """A self-contained HTML slider drawing the curves as SVG from their
    data: needs neither kernel nor network.

    Args:
        y1_values (`Sequence[float]`, defaults to `STATIC_Y1`):
            The slider's targets y₁, one frame of curves each.
        start (`float`, defaults to 0.5):
            The target shown first; one of `y1_values`.
        element_id (`str`, defaults to "loss-explorer"):
            The HTML id of the explorer, unique on its page.

    Returns:
        `str`: HTML with inline SVG and script (display it with
        `IPython.display.HTML`).
    """
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
        + dash(key.split("-")[1], 1.6)
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
