"""Chapter 3's experiment: one small network trained on real handwritten
digits with cross-entropy and with squared error through a softmax.

Everything runs in float64 from fixed seeds, so a run gives the same
numbers on every CPU to far more digits than the chapter prints.
"""

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from sklearn.datasets import load_digits
from torch import nn

from dlbook import losses
from dlbook.softmax import softmax

CLASSES = 10


@dataclass(frozen=True)
class Digits:
    """scikit-learn's 1,797 handwritten digits (8 × 8 pixels), split 80/20.

    Attributes:
        train (`torch.Tensor` of shape `(1437, 64)`): Standardised pixels.
        train_labels (`torch.Tensor` of shape `(1437,)`): Digits 0-9.
        test (`torch.Tensor` of shape `(360, 64)`): Held out, scaled with
            the training set's statistics.
        test_labels (`torch.Tensor` of shape `(360,)`).
    """

    train: torch.Tensor
    train_labels: torch.Tensor
    test: torch.Tensor
    test_labels: torch.Tensor


def digits(seed: int = 0) -> Digits:
    """Load and split the digits.

    Args:
        seed (`int`, defaults to 0): Seeds the shuffle before the split.

    Returns:
        `Digits`.
    """
    raw = load_digits()
    x = torch.tensor(raw.data, dtype=torch.float64)
    labels = torch.tensor(raw.target)
    order = torch.randperm(
        len(x), generator=torch.Generator().manual_seed(seed)
    )
    cut = int(0.8 * len(x))
    train, test = order[:cut], order[cut:]
    # Standardise with the training set's statistics; + 1 keeps the
    # always-blank border pixels at 0 rather than dividing by 0.
    mean, std = x[train].mean(0), x[train].std(0) + 1
    scaled = (x - mean) / std
    return Digits(scaled[train], labels[train], scaled[test], labels[test])


def squared_error(z: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The mean over a batch of SE(y, softmax(z)), y one-hot."""
    y = nn.functional.one_hot(labels, CLASSES).to(z.dtype)
    return losses.squared_error(y, softmax(z)).mean()


LOSSES: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "cross-entropy": nn.functional.cross_entropy,
    "squared error": squared_error,
}


def network(seed: int = 0, hidden: int = 32) -> nn.Sequential:
    """64 pixels -> `hidden` tanh units -> 10 logits, PyTorch's default
    initialisation from `seed`, in float64."""
    torch.manual_seed(seed)
    layers = [nn.Linear(64, hidden), nn.Tanh(), nn.Linear(hidden, CLASSES)]
    return nn.Sequential(*layers).double()


def logit_gradients(model: nn.Module, loss: str, x, labels) -> torch.Tensor:
    """For every example i, the norm of the gradient of its loss with
    respect to its logits zᵢ: how hard the loss pulls on them. (The
    examples are independent, so the gradient of the summed loss holds
    each example's own gradient in its row.)

    Args:
        model (`nn.Module`): Maps x to logits.
        loss (`str`): A key of `LOSSES`.
        x (`torch.Tensor` of shape `(N, 64)`), labels (`(N,)`).

    Returns:
        `torch.Tensor` of shape `(N,)`.
    """
    z = model(x).detach().requires_grad_()
    (grad,) = torch.autograd.grad(LOSSES[loss](z, labels) * len(x), z)
    return grad.norm(dim=1)


@contextlib.contextmanager
def one_thread():
    """Run torch on one thread inside the block: products as small as this
    network's are faster on one thread than split across several, and far
    faster when other programs hold the cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def accuracy(model: nn.Module, x, labels) -> float:
    with torch.no_grad():
        return (model(x).argmax(1) == labels).double().mean().item()


@dataclass
class History:
    """What `train` recorded every `every` steps (step 0 included): the
    loss on the training set, the accuracy on the test set, and the pull,
    the median over training examples of that gradient's norm."""

    steps: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    pull: list[float] = field(default_factory=list)

    def record(self, step, model, loss, data, labels, test_labels) -> None:
        with torch.no_grad():
            value = LOSSES[loss](model(data.train), labels).item()
        self.steps.append(step)
        self.loss.append(value)
        self.accuracy.append(accuracy(model, data.test, test_labels))
        pull = logit_gradients(model, loss, data.train, labels)
        self.pull.append(pull.median().item())


def train(
    model: nn.Module,
    loss: str,
    data: Digits,
    relabel: torch.Tensor | None = None,
    steps: int = 600,
    lr: float = 0.5,
    batch: int = 64,
    seed: int = 1,
    every: int = 20,
) -> History:
    """Minibatch stochastic gradient descent on `loss`, recording as it goes.

    Args:
        model (`nn.Module`): Trained in place.
        loss (`str`): A key of `LOSSES`.
        data (`Digits`): The images.
        relabel (`torch.Tensor` of shape `(10,)`, optional): The label each
            digit is to be given, in training and test alike; by default
            its own.
        steps (`int`, defaults to 600), lr (`float`, defaults to 0.5),
        batch (`int`, defaults to 64): Each step moves every parameter by
            `lr` times its gradient on `batch` random training examples.
        seed (`int`, defaults to 1): Seeds which examples each batch draws.
        every (`int`, defaults to 20): Record every this many steps.

    Returns:
        `History`.
    """
    relabel = torch.arange(CLASSES) if relabel is None else relabel
    labels = relabel[data.train_labels]
    draws = torch.Generator().manual_seed(seed)
    history = History()
    with one_thread():
        for step in range(steps + 1):
            if step % every == 0:
                history.record(step, model, loss, data, labels,
                               relabel[data.test_labels])  # fmt: skip
            if step == steps:
                return history
            rows = torch.randint(len(labels), (batch,), generator=draws)
            model.zero_grad()
            LOSSES[loss](model(data.train[rows]), labels[rows]).backward()
            with torch.no_grad():  # one step downhill, no momentum
                for parameter in model.parameters():
                    parameter -= lr * parameter.grad
    return history
