"""Chapter 3's explorer on the page: the HTML slider's frames are the curves' data. (The browser
test moves its slider: test_browser.py.)"""

import json
import re

import pytest

from dlbook import explorer_html
from dlbook.losses import LOSSES, two_class_curves


def test_static_explorer_holds_one_distinct_frame_per_target():
    y1_values = (0.1, 0.5, 0.9)
    html = explorer_html.static_explorer(y1_values, start=0.5, element_id="test-explorer")
    frames = json.loads(re.search(r"const frames = (\[.*?\]);\n", html).group(1))
    labels = json.loads(re.search(r"const labels = (\[.*?\]);", html).group(1))
    assert labels == ["0.100", "0.500", "0.900"]
    assert len({json.dumps(frame) for frame in frames}) == 3
    assert set(frames[0]["lines"]) == {f"{k}-{n}" for k in ("loss", "grad") for n in LOSSES}
    assert 'max="2"' in html and 'value="1"' in html and "y₁ = 0.500" in html
    shown = re.search(r'data-curve="grad-CE" points="([^"]+)"', html).group(1)
    assert shown == frames[1]["lines"]["grad-CE"]  # the page starts at y1 = 0.5


def test_frames_draw_the_curves_data():
    """Each polyline is the loss's data in pixels: map the points back and compare."""
    y1 = 0.3
    lines = explorer_html.frame(y1)["lines"]
    curves = two_class_curves(y1, explorer_html.MARGIN)
    for panel, kind in enumerate(explorer_html.YLIM):
        low, high = explorer_html.YLIM[kind]
        points = [tuple(map(float, p.split(","))) for p in lines[f"{kind}-SE"].split()]
        left = explorer_html.PAD + panel * (explorer_html.PANEL + explorer_html.PAD)
        xs = [(px - left) / explorer_html.PANEL * 12 - 6 for px, _ in points]
        ys = [high - (py - 10) / explorer_html.HEIGHT * (high - low) for _, py in points]
        expected = curves["SE"][panel][::6]
        assert xs[0] == pytest.approx(-6, abs=0.05) and xs[-1] == pytest.approx(6, abs=0.05)
        assert ys == pytest.approx(expected.tolist(), abs=0.02)


def test_static_explorer_start_must_be_a_frame():
    with pytest.raises(ValueError, match="not among"):
        explorer_html.static_explorer((0.1, 0.9), start=0.5)
