"""The drawing primitives of the book's explanatory figures: what they draw, and that it reads
without colour (boxes differ by fill grey and border style, never by hue alone)."""

import matplotlib
from matplotlib.colors import to_rgb

from dlbook import diagram

matplotlib.use("Agg")


def test_a_box_writes_its_lines_first_in_bold():
    fig, ax = diagram.canvas(4, 2)
    diagram.box(ax, 2, 1, 3, 1, "UNet\n320 ch\n64×64")
    drawn = ax.texts
    assert [text.get_text() for text in drawn] == ["UNet", "320 ch", "64×64"]
    assert drawn[0].get_fontweight() == "bold" and drawn[1].get_fontweight() != "bold"
    assert diagram.texts(fig) == ["UNet", "320 ch", "64×64"]


def test_kinds_differ_in_greyscale_and_border():
    fig, ax = diagram.canvas(6, 2)
    patches = {
        kind: diagram.box(ax, 1 + 2 * i, 1, 1.5, 1, kind, kind)
        for i, kind in enumerate(diagram.FILLS)
    }
    looks = {
        (to_rgb(p.get_facecolor()), p.get_linestyle(), p.get_linewidth()) for p in patches.values()
    }
    assert len(looks) == len(patches)
    for patch in patches.values():  # greys only: red, green and blue equal
        red, green, blue = to_rgb(patch.get_facecolor())
        assert red == green == blue
    assert patches["code"].get_linestyle() in ("--", "dashed")


def test_an_arrow_is_labelled_beside_its_middle():
    fig, ax = diagram.canvas(4, 4)
    diagram.arrow(ax, (0, 1), (4, 1), "tokens\n(2, 77)")
    diagram.arrow(ax, (1, 0), (1, 4), "down", line="dashed")
    across, down = ax.texts
    assert across.get_position() == (2.0, 1.15) and across.get_va() == "bottom"
    assert down.get_position() == (1.15, 2.0) and down.get_ha() == "left"
    assert diagram.texts(fig) == ["tokens\n(2, 77)", "down"]
