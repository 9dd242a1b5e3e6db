"""Chapter 3's explorer: the drawing, the static HTML slider, and the live widget's wiring."""

import json
import re

import matplotlib
import pytest

from dlbook import explorer
from dlbook.losses import LOSSES, two_class_curves

matplotlib.use("Agg")


def test_draw_rejects_unknown_losses_and_targets():
    fig = matplotlib.figure.Figure()
    with pytest.raises(ValueError, match="unknown loss"):
        explorer.draw(fig, 0.5, ["KL", "MSE"])
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        explorer.draw(fig, 1.0)


def test_draw_plots_only_the_chosen_losses():
    fig = matplotlib.figure.Figure()
    explorer.draw(fig, 0.3, ["CE", "SE"])
    ax_loss, ax_grad = fig.axes
    assert [
        line.get_label() for line in ax_loss.get_lines() if not line.get_label().startswith("_")
    ] == ["CE", "SE"]
    assert len([line for line in ax_grad.get_lines() if line.get_label() in ("CE", "SE")]) == 2


def test_static_explorer_holds_one_distinct_frame_per_target():
    y1_values = (0.1, 0.5, 0.9)
    html = explorer.static_explorer(y1_values, start=0.5, element_id="test-explorer")
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
    lines = explorer.frame(y1)["lines"]
    curves = two_class_curves(y1, explorer.MARGIN)
    for panel, kind in enumerate(explorer.YLIM):
        low, high = explorer.YLIM[kind]
        points = [tuple(map(float, p.split(","))) for p in lines[f"{kind}-SE"].split()]
        left = explorer.PAD + panel * (explorer.PANEL + explorer.PAD)
        xs = [(px - left) / explorer.PANEL * 12 - 6 for px, _ in points]
        ys = [high - (py - 10) / explorer.HEIGHT * (high - low) for _, py in points]
        expected = curves["SE"][panel][::6]
        assert xs[0] == pytest.approx(-6, abs=0.05) and xs[-1] == pytest.approx(6, abs=0.05)
        assert ys == pytest.approx(expected.tolist(), abs=0.02)


def test_static_explorer_start_must_be_a_frame():
    with pytest.raises(ValueError, match="not among"):
        explorer.static_explorer((0.1, 0.9), start=0.5)


def test_live_explorer_redraws_on_slider_and_checkboxes(monkeypatch):
    calls = []
    monkeypatch.setattr(explorer, "draw", lambda fig, y1, show: calls.append((y1, list(show))))
    box = explorer.live_explorer()
    slider, checkboxes = box.children[0], box.children[1].children
    slider.value = 0.25
    checkboxes[2].value = False  # SE off
    assert (0.25, ["KL", "CE", "SE", "L1"]) in calls
    assert calls[-1] == (0.25, ["KL", "CE", "L1"])
    (figure,) = box.children[2].outputs  # one picture, replaced on each change
    assert "image/png" in figure["data"]
