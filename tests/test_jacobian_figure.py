"""dlbook.jacobian_figure: chapter 2's figure shows the matrices it names, entry by entry."""

import matplotlib
import torch

from dlbook import jacobian_figure
from dlbook.softmax import softmax, softmax_jacobian

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)


def test_the_parts_are_the_jacobians_two_terms():
    z = torch.randn(5, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    parts = jacobian_figure.parts(softmax(z))
    assert torch.allclose(parts["J"], softmax_jacobian(z))
    assert torch.allclose(parts["J"], parts["diag(p)"] - parts["p pᵀ"])


def test_every_entry_is_written_in_its_cell_with_its_sign():
    p = softmax(torch.tensor([2.0, 1.0, 0.0, -1.0], dtype=torch.float64))
    fig, axes = plt.subplots(1, 3)
    jacobian_figure.draw(p, axes)
    for ax, matrix in zip(axes, jacobian_figure.parts(p).values(), strict=True):
        cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
                 for t in ax.texts if t.get_text() not in ("=", "−")}  # fmt: skip
        assert len(cells) == 16
        for (i, j), text in cells.items():
            assert float(text.replace("−", "-")) == round(matrix[i, j].item(), 3)
    assert [t.get_text() for ax in axes for t in ax.texts if t.get_fontsize() == 20] == ["=", "−"]
    plt.close(fig)
