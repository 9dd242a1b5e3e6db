"""dlbook.backward_figure: chapter 3's picture prints autograd's gradients, which are the
chapter's formulas: −y/p and p − y for cross-entropy, 2J(p − y) for squared error."""

import matplotlib
import torch

from dlbook import backward_figure
from dlbook.softmax import softmax, softmax_jacobian

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

Z = torch.tensor([0.0, -6.0], dtype=torch.float64)
Y = torch.tensor([0.0, 1.0], dtype=torch.float64)


def test_the_messages_are_the_chapters_formulas():
    p, J = softmax(Z), softmax_jacobian(Z)
    ce = backward_figure.backward_pass(Z, Y, "cross-entropy")
    assert torch.allclose(ce.dp, -Y / p) and torch.allclose(ce.dz, p - Y)
    se = backward_figure.backward_pass(Z, Y, "squared error")
    assert torch.allclose(se.dp, -2 * (Y - p)) and torch.allclose(se.dz, 2 * J @ (p - Y))
    assert abs(ce.dz[1]) > 100 * abs(se.dz[1])  # the chapter's hundredfold gap


def test_each_row_shows_the_values_it_computed():
    fig, axes = plt.subplots(2, 1)
    backward_figure.draw(axes, Z, Y)
    text = "\n".join(t.get_text() for ax in axes for t in ax.texts)
    assert "(0.998, −0.998)" in text and "(0.00984, −0.00984)" in text
    assert "(0, −404)" in text and "(2, −2)" in text  # ∂/∂p: −0.0 shown as 0
    plt.close(fig)
