"""Chapter 3's explorer: the drawing and the live widget's wiring (the page's HTML slider:
test_explorer_html.py)."""

import matplotlib
import pytest

from dlbook import explorer

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
