"""Chapter 3: squared error, KL and cross-entropy on a softmax, and their
gradients.

Targets y and predictions p are distributions along the last dimension. 0·log
0 is taken as 0 (torch.xlogy), so one-hot targets give finite losses and
gradients.
"""

import torch

from dlbook.softmax import softmax, softmax_jacobian


def squared_error(y: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """SE(y, p) = Σᵢ (yᵢ − pᵢ)².

    Args:
        y (`torch.Tensor` of shape `(..., n)`):
            The target distribution.
        p (`torch.Tensor` of shape `(..., n)`):
            The predicted distribution.

    Returns:
        `torch.Tensor` of shape `(...)`.
    """
    return ((y - p) ** 2).sum(-1)


def cross_entropy(y: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """CE(y; p) = −Σᵢ yᵢ log pᵢ.

    Args:
        y (`torch.Tensor` of shape `(..., n)`):
            The target distribution.
        p (`torch.Tensor` of shape `(..., n)`):
            The predicted distribution.

    Returns:
        `torch.Tensor` of shape `(...)`.
    """
    return -torch.xlogy(y, p).sum(-1)


def cross_entropy_logits(y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """CE(y; softmax(z)) from the logits: (Σᵢ yᵢ) lse(z) − yᵀz.

    log pᵢ = zᵢ − lse(z) never forms pᵢ, so nothing underflows to log 0;
    torch.logsumexp subtracts max(z) first, so nothing overflows.

    Args:
        y (`torch.Tensor` of shape `(..., n)`):
            The target distribution.
        z (`torch.Tensor` of shape `(..., n)`):
            The logits.

    Returns:
        `torch.Tensor` of shape `(...)`.
    """
    return y.sum(-1) * torch.logsumexp(z, -1) - (y * z).sum(-1)


def entropy(y: torch.Tensor) -> torch.Tensor:
    """H(y) = −Σᵢ yᵢ log yᵢ ≥ 0 (note the minus sign).

    Args:
        y (`torch.Tensor` of shape `(..., n)`):
            The target distribution.

    Returns:
        `torch.Tensor` of shape `(...)`.
    """
    return -torch.xlogy(y, y).sum(-1)


def kl_divergence(y: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """KL(y; p) = Σᵢ yᵢ log(yᵢ / pᵢ) = CE(y; p) − H(y) ≥ 0.

    Args:
        y (`torch.Tensor` of shape `(..., n)`):
            The target distribution.
        p (`torch.Tensor` of shape `(..., n)`):
            The predicted distribution.

    Returns:
        `torch.Tensor` of shape `(...)`.
    """
    return (torch.xlogy(y, y) - torch.xlogy(y, p)).sum(-1)


def sampled_l1(y: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """E‖eₐ − e_b‖₁ for one-hot samples a ~ y, b ~ p: 2·P(a ≠ b) = 2(1 − Σᵢ
    yᵢpᵢ).

    For two classes this is 2y₀p₁ + 2y₁p₀.
    """
    return 2 * (1 - (y * p).sum(-1))


# Gradients with respect to p, the softmax's output.


def squared_error_grad_p(y: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """∂SE/∂pᵢ = −2(yᵢ − pᵢ)."""
    return -2 * (y - p)


def cross_entropy_grad_p(y: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    """∂CE/∂pᵢ = −yᵢ/pᵢ."""
    return -y / p


# Gradients with respect to the logits z, through p = softmax(z): ∂L/∂z = Jᵀ
# ∂L/∂p = J ∂L/∂p.


def through_softmax(z: torch.Tensor, grad_p: torch.Tensor) -> torch.Tensor:
    """The chain rule through the softmax: J(z) @ grad_p, batched (J is
    symmetric)."""
    return (softmax_jacobian(z) @ grad_p.unsqueeze(-1)).squeeze(-1)


def cross_entropy_grad_z(y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """∂CE/∂z = p − y (and the same for KL, which differs from CE by a
    constant in z).

    Args:
        y (`torch.Tensor` of shape `(..., n)`):
            The target distribution.
        z (`torch.Tensor` of shape `(..., n)`):
            The logits; p = softmax(z).

    Returns:
        `torch.Tensor` of shape `(..., n)`.
    """
    return softmax(z) - y


def squared_error_grad_z(y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """∂SE/∂z = 2 J (p − y).

    Args:
        y (`torch.Tensor` of shape `(..., n)`):
            The target distribution.
        z (`torch.Tensor` of shape `(..., n)`):
            The logits; p = softmax(z).

    Returns:
        `torch.Tensor` of shape `(..., n)`.
    """
    p = softmax(z)
    return through_softmax(z, 2 * (p - y))


def sampled_l1_grad_z(y: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """∂(sampled L1)/∂z = −2 J y."""
    return through_softmax(z, -2 * y)


LOSSES = {
    "KL": (kl_divergence, cross_entropy_grad_z),
    "CE": (cross_entropy, cross_entropy_grad_z),
    "SE": (squared_error, squared_error_grad_z),
    "L1": (sampled_l1, sampled_l1_grad_z),
}


def two_class_curves(
    y1: float, margin: torch.Tensor
) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Each loss and its ∂/∂z₁ along logits z = (0, m), for target y = (1 −
    y₁, y₁).

    By shift invariance z₀ = 0 loses nothing.

    Args:
        y1 (`float`):
            The target's probability of class 1.
        margin (`torch.Tensor` of shape `(M,)`):
            The values m = z₁ − z₀; its dtype is the curves'.

    Returns:
        `dict[str, tuple[torch.Tensor, torch.Tensor]]`: for each name in
        `LOSSES`, the loss and its ∂/∂z₁, each of shape `(M,)`.
    """
    z = torch.stack([torch.zeros_like(margin), margin], dim=-1)  # (M, 2)
    y = torch.tensor([1 - y1, y1], dtype=margin.dtype).expand_as(z)
    p = softmax(z)
    return {
        name: (loss(y, p), grad(y, z)[:, 1])
        for name, (loss, grad) in LOSSES.items()
    }


# Scoring rules: the loss S(p, k) of forecasting p when class k occurs, and
# its expectation when k is drawn from y. A rule is strictly proper when that
# expectation is smallest at p = y and only there.
EXPECTED_SCORES = {
    "log": lambda y, p: cross_entropy(y, p),  # S = −log p_k
    "Brier": lambda y, p: (  # S = ‖p − e_k‖²
        (p * p).sum(-1) - 2 * (y * p).sum(-1) + y.sum(-1)
    ),
    "sampled L1": lambda y, p: 2 * (1 - (y * p).sum(-1)),  # S = 2(1 − p_k)
}


def score_minimisers(y: torch.Tensor, iterations: int = 200) -> dict:
    """For each rule, the forecast p = softmax(z) that minimises its
    expected score under y, found numerically (L-BFGS over z).

    Args:
        y (`torch.Tensor` of shape `(n,)`):
            The distribution the class is drawn from.
        iterations (`int`, defaults to 200):
            L-BFGS's most iterations, per rule.

    Returns:
        `dict[str, torch.Tensor]`: for each rule in `EXPECTED_SCORES`, the
        forecast p found, shaped like y.
    """
    found = {}
    for name, expected in EXPECTED_SCORES.items():
        z = torch.zeros_like(y, requires_grad=True)
        optimizer = torch.optim.LBFGS([z], max_iter=iterations)

        def closure(expected=expected, z=z, optimizer=optimizer):
            optimizer.zero_grad()
            score = expected(y, softmax(z))
            score.backward()
            return score

        optimizer.step(closure)
        found[name] = softmax(z.detach())
    return found
