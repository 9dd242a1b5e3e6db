"""Chapter 2's picture of the softmax Jacobian: J = diag(p) − p pᵀ drawn
as three matrices, every entry written in its cell, so the figure reads
without its colours."""

import matplotlib.colors
import torch
from matplotlib.axes import Axes


def parts(p: torch.Tensor) -> dict[str, torch.Tensor]:
    """The two terms of the Jacobian and their difference.

    Args:
        p (`torch.Tensor` of shape `(n,)`): A probability vector.

    Returns:
        `dict[str, torch.Tensor]`: ``"J"``, ``"diag(p)"`` and ``"p pᵀ"``,
        each ``(n, n)``, with ``J = diag(p) - p pᵀ``.
    """
    diagonal, outer = torch.diag(p), torch.outer(p, p)
    return {"J": diagonal - outer, "diag(p)": diagonal, "p pᵀ": outer}


def draw(p: torch.Tensor, axes: list[Axes], digits: int = 3) -> None:
    """Draw J, diag(p) and p pᵀ on three axes, with "=" and "−" between
    them and each entry printed in its cell.

    Args:
        p (`torch.Tensor` of shape `(n,)`): A probability vector.
        axes (`list[matplotlib.axes.Axes]`): Three axes, left to right.
        digits (`int`, defaults to 3): Decimals printed per entry.
    """
    matrices = parts(p)
    largest = max(m.abs().max().item() for m in matrices.values())
    # One diverging scale for all three: the same shade means the same value.
    norm = matplotlib.colors.Normalize(-largest, largest)
    cmap = matplotlib.colormaps["PuOr"]
    signs = ["=", "−", ""]
    for ax, (name, matrix), sign in zip(
        axes, matrices.items(), signs, strict=True
    ):
        ax.imshow(matrix.numpy(), cmap=cmap, norm=norm)
        n = matrix.shape[0]
        for i in range(n):
            for j in range(n):
                value = matrix[i, j].item()
                red, green, blue, _ = cmap(norm(value))
                dark = 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.5
                text = f"{value:.{digits}f}".replace("-", "−")
                ax.text(j, i, text, ha="center", va="center", fontsize=9,
                        color="white" if dark else "black")  # fmt: skip
        ax.set_title(name)
        ax.set_xticks(range(n), [f"z{j + 1}" for j in range(n)])
        ax.set_yticks(range(n), [f"p{i + 1}" for i in range(n)])
        if sign:
            ax.text(1.08, 0.5, sign, transform=ax.transAxes, fontsize=20,
                    ha="center", va="center")  # fmt: skip
