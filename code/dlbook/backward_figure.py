"""Chapter 3's picture of why cross-entropy keeps pulling: the forward pass
z -> softmax -> p -> loss of one confidently wrong prediction, with the
gradient each stage sends back, computed by autograd."""

from dataclasses import dataclass

import torch
from matplotlib.axes import Axes

from dlbook import losses
from dlbook.softmax import softmax

LOSSES = {
    "cross-entropy": losses.cross_entropy,
    "squared error": losses.squared_error,
}


@dataclass(frozen=True)
class Pass:
    """One loss's forward values and backward messages for one prediction.

    Attributes:
        p (`torch.Tensor`): softmax(z).
        loss (`float`): The loss's value.
        dp (`torch.Tensor`): ∂loss/∂p, what the loss sends back to p.
        dz (`torch.Tensor`): ∂loss/∂z, what reaches the logits through the
            softmax's Jacobian.
    """

    p: torch.Tensor
    loss: float
    dp: torch.Tensor
    dz: torch.Tensor


def backward_pass(z: torch.Tensor, y: torch.Tensor, loss: str) -> Pass:
    """Run `loss` on softmax(z) against the target y and read autograd's
    gradients at p and at z.

    Args:
        z (`torch.Tensor` of shape `(n,)`): Logits.
        y (`torch.Tensor` of shape `(n,)`): The target distribution.
        loss (`str`): A key of `LOSSES`.

    Returns:
        `Pass`.
    """
    z = z.detach().clone().requires_grad_()
    p = softmax(z)
    p.retain_grad()  # p is not a leaf: keep its gradient for the picture
    value = LOSSES[loss](y, p)
    value.backward()
    return Pass(p.detach(), value.item(), p.grad, z.grad)


def vector(t: torch.Tensor) -> str:
    # + 0.0: a gradient of -0.0 is shown as 0
    return (
        "("
        + ", ".join(f"{v + 0.0:.3g}".replace("-", "−") for v in t.tolist())
        + ")"
    )


def draw(axes: list[Axes], z: torch.Tensor, y: torch.Tensor) -> None:
    """One row per loss: boxes for z, p and the loss with the forward
    values, and under each arrow, pointing back, the gradient it carries.
    Black on white, text for every number.

    Args:
        axes (`list[matplotlib.axes.Axes]`): One per key of `LOSSES`.
        z, y (`torch.Tensor` of shape `(n,)`): Logits and target.
    """
    for ax, name in zip(axes, LOSSES, strict=True):
        run = backward_pass(z, y, name)
        boxes = [
            f"logits z\n{vector(z)}",
            f"p = softmax(z)\n{vector(run.p)}",
            f"{name}\n{run.loss:.3g}",
        ]
        slope = (run.p[0] * run.p[1]).item() if len(run.p) == 2 else None
        through = (
            f"J ∂loss/∂p, J's entries ±{slope:.3g}"
            if slope
            else "J ∂loss/∂p"
        )
        gradients = [
            f"∂loss/∂z = {through}\n= {vector(run.dz)}",
            f"∂loss/∂p = {vector(run.dp)}",
        ]
        for x, text in zip((0, 1, 2), boxes, strict=True):
            ax.text(
                x,
                0.6,
                text,
                ha="center",
                va="center",
                fontsize=10,
                bbox={
                    "boxstyle": "round,pad=0.5",
                    "fc": "white",
                    "ec": "black",
                },
            )
        for x, text in zip((0.5, 1.5), gradients, strict=True):
            ax.annotate(
                "",
                xy=(x + 0.3, 0.6),
                xytext=(x - 0.3, 0.6),
                arrowprops={"arrowstyle": "-|>", "color": "black"},
            )
            ax.annotate(
                "",
                xy=(x - 0.3, -0.1),
                xytext=(x + 0.3, -0.1),
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": "black",
                    "ls": "--",
                },
            )
            ax.text(x, -0.4, text, ha="center", va="center", fontsize=9)
        ax.text(
            -0.45,
            -0.1,
            "backward",
            fontsize=9,
            fontstyle="italic",
            va="center",
        )
        ax.set_title(name, loc="left", fontsize=11)
        ax.set(xlim=(-0.55, 2.55), ylim=(-0.7, 1.1))
        ax.set_axis_off()
