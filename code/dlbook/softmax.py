"""Chapter 2: the softmax and its Jacobian."""

import torch


def softmax(z: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """pᵢ = exp(zᵢ) / Σⱼ exp(zⱼ) along `dim`, in the numerically stable form.

    Subtracting max z changes nothing (the softmax is shift invariant) but
    keeps every exponent ≤ 0, so exp never overflows and the largest term is
    exactly 1.

    Args:
        z (`torch.Tensor`):
            Logits.
        dim (`int`, defaults to -1):
            The dimension the probabilities sum to 1 along.

    Returns:
        `torch.Tensor` shaped like z.
    """
    shifted = z - z.amax(dim=dim, keepdim=True)
    e = shifted.exp()
    return e / e.sum(dim=dim, keepdim=True)


def softmax_jacobian(z: torch.Tensor) -> torch.Tensor:
    """J[..., i, j] = ∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ), i.e. J = diag(p) − p pᵀ.

    Args:
        z (`torch.Tensor` of shape `(..., n)`):
            Logits; the softmax is taken along the last dimension.

    Returns:
        `torch.Tensor` of shape `(..., n, n)`.
    """
    p = softmax(z)
    # (..., n, n)
    return torch.diag_embed(p) - p.unsqueeze(-1) * p.unsqueeze(-2)
