"""How chapter 3's two loss explorers draw alike: the live one
(explorer.py, matplotlib) and the page's (explorer_html.py, SVG) read their
axes, titles, colours, dashes and stacking from here, so they cannot drift
apart.
"""

import math

import torch

# The horizontal axis of both panels: the margin z₁ − z₀.
XLIM = (-6, 6)
MARGIN = torch.linspace(*XLIM, 241, dtype=torch.float64)
# The two panels, left to right: each loss, and its derivative in z₁.
YLIM = {"loss": (-0.1, 4.0), "grad": (-1.05, 1.05)}
TITLES = {"loss": "loss", "grad": "∂ loss / ∂z₁"}
# Colours from matplotlib's colour-blind-safe tableau-colorblind10, and a
# dash pattern per curve (on, off, ... in line widths): in greyscale, or to a
# colour-blind reader, each curve still matches its legend entry.
COLORS = {
    "KL": "#006BA4",
    "CE": "#FF800E",
    "SE": "#595959",
    "L1": "#C85200",
}
DASHES = {"KL": (4, 2), "CE": (), "SE": (1, 1.5), "L1": (6, 1.5, 1, 1.5)}
# KL and CE share their gradient: KL is dashed and drawn on top, so both stay
# visible. Higher is drawn later.
ZORDER = {name: 3 if name == "KL" else 2 for name in DASHES}


def optimum(y1: float) -> float:
    """The margin z₁ − z₀ where p₁ = y₁, which every loss's minimum marks.

    Args:
        y1: the target's probability of class 1, strictly between 0 and 1.

    Returns:
        log(y₁ / (1 − y₁)).
    """
    return math.log(y1 / (1 - y1))
