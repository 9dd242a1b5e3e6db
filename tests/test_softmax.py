"""Chapter 2. Formulas checked against autograd or torch on random inputs:

- Σᵢ pᵢ = 1;
- shift invariance softmax(z + k) = softmax(z), and the stable form equals torch.softmax;
- the n = 2 Jacobian entries p₁(1−p₁), −p₁p₂, −p₂p₁, p₂(1−p₂);
- J = diag(p) − p pᵀ for n = 2…10, batched, logits up to ±50;
- J is symmetric and J·1 = 0 (rows sum to zero), so J is singular.
"""

import pytest
import torch

from dlbook.softmax import softmax, softmax_jacobian


def random_logits(*shape, scale=3.0, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return scale * torch.randn(*shape, generator=generator, dtype=torch.float64)


@pytest.mark.parametrize("scale", [1.0, 50.0])
def test_sums_to_one_and_matches_torch(scale):
    z = random_logits(6, 9, scale=scale)
    p = softmax(z)
    assert torch.isfinite(p).all()
    torch.testing.assert_close(p.sum(-1), torch.ones(6, dtype=torch.float64))
    torch.testing.assert_close(p, torch.softmax(z, dim=-1))


def test_shift_invariance():
    z = random_logits(4, 5)
    k = random_logits(4, 1, seed=1) * 10
    torch.testing.assert_close(softmax(z + k), softmax(z))


def test_extreme_logits_do_not_overflow():
    p = softmax(torch.tensor([1000.0, 0.0, -1000.0]))
    assert torch.equal(p, torch.tensor([1.0, 0.0, 0.0]))


def test_two_class_entries():
    z = random_logits(2)
    (p1, p2), J = softmax(z), softmax_jacobian(z)
    expected = torch.stack(
        [
            torch.stack([p1 * (1 - p1), -p1 * p2]),
            torch.stack([-p2 * p1, p2 * (1 - p2)]),
        ]
    )
    torch.testing.assert_close(J, expected)


@pytest.mark.parametrize("n", range(2, 11))
@pytest.mark.parametrize("scale", [1.0, 50.0])
def test_jacobian_matches_autograd(n, scale):
    z = random_logits(n, scale=scale, seed=n)
    J = softmax_jacobian(z)
    assert torch.isfinite(J).all()
    torch.testing.assert_close(J, torch.autograd.functional.jacobian(softmax, z))


def test_batched_jacobian_matches_autograd_per_row():
    z = random_logits(3, 4, 5, seed=7)
    J = softmax_jacobian(z)
    assert J.shape == (3, 4, 5, 5)
    for index in torch.cartesian_prod(torch.arange(3), torch.arange(4)).tolist():
        expected = torch.autograd.functional.jacobian(softmax, z[tuple(index)])
        torch.testing.assert_close(J[tuple(index)], expected)


def test_symmetric_and_singular():
    z = random_logits(5, 7, seed=3)
    J = softmax_jacobian(z)
    torch.testing.assert_close(J, J.transpose(-1, -2))
    ones = torch.ones(7, dtype=torch.float64)
    torch.testing.assert_close(J @ ones, torch.zeros(5, 7, dtype=torch.float64))
    assert (torch.linalg.matrix_rank(J) == 6).all()


@pytest.mark.parametrize("n", [2, 3, 7])
def test_jacobian_is_the_one_hot_covariance_and_lse_hessian(n):
    generator = torch.Generator().manual_seed(n)
    z = torch.randn(n, dtype=torch.float64, generator=generator)
    p, J = softmax(z), softmax_jacobian(z)
    eye = torch.eye(n, dtype=torch.float64)
    covariance = sum(p[k] * torch.outer(eye[k] - p, eye[k] - p) for k in range(n))
    torch.testing.assert_close(J, covariance)
    # The same by sampling: one-hot draws from p.
    draws = eye[torch.multinomial(p, 200_000, replacement=True, generator=generator)]
    assert (torch.cov(draws.T, correction=0) - J).abs().max() < 5e-3
    hessian = torch.autograd.functional.hessian(lambda v: torch.logsumexp(v, 0), z)
    torch.testing.assert_close(J, hessian)


@pytest.mark.parametrize("n", [2, 5, 10])
def test_jacobian_is_psd_with_null_space_one(n):
    z = torch.randn(n, dtype=torch.float64, generator=torch.Generator().manual_seed(10 + n))
    eigenvalues, vectors = torch.linalg.eigh(softmax_jacobian(z))
    assert (eigenvalues > -1e-15).all()
    assert (eigenvalues.abs() < 1e-12).sum() == 1 and (eigenvalues[1:] > 1e-6).all()
    torch.testing.assert_close(vectors[:, 0].abs(), torch.full((n,), n**-0.5, dtype=torch.float64))
    assert torch.linalg.matrix_rank(softmax_jacobian(z)) == n - 1
