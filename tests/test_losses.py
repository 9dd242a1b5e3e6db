"""Chapter 3. Every formula the chapter states, checked against autograd on random inputs:

- SE = Σ(y−p)², KL = Σ y log(y/p), CE = −Σ y log p, H = −Σ y log y, and KL = CE − H;
- at y = p: SE = 0, KL = 0, CE = H(y);
- ∂SE/∂pᵢ = −2(yᵢ−pᵢ), ∂CE/∂pᵢ = −yᵢ/pᵢ;
- through the softmax, n = 2: ∂CE/∂z₁ = p₁ − y₁, ∂SE/∂z₁ = 4p₁(1−p₁)(p₁−y₁);
- general n: ∂CE/∂z = ∂KL/∂z = p − y, ∂SE/∂z = 2J(p − y);
- sampled L1 = 2(1 − Σ yᵢpᵢ) = 2y₀p₁ + 2y₁p₀ (n = 2), its gradient −2Jy, and that it is the
  expected L1 distance between one-hot samples (checked by enumeration);
- curvature at the optimum (n = 2): CE'' = p₁(1−p₁), SE'' = 4p₁²(1−p₁)²;
- edge targets y₁ ∈ {0, 1} give finite losses and gradients.
"""

import itertools

import pytest
import torch

from dlbook import losses
from dlbook.calculus import derivatives
from dlbook.softmax import softmax, softmax_jacobian

N_VALUES = [2, 3, 7]


def random_case(n, batch=5, seed=0):
    g = torch.Generator().manual_seed(seed + n)
    # Dirichlet(1, ..., 1) as normalised exponentials, drawn from the seeded generator.
    e = -torch.rand(batch, n, generator=g, dtype=torch.float64).log()
    y = e / e.sum(-1, keepdim=True)
    z = 3 * torch.randn(batch, n, generator=g, dtype=torch.float64)
    return y, z


def autograd_grad(f, t):
    t = t.clone().requires_grad_()
    (grad,) = torch.autograd.grad(f(t).sum(), t)
    return grad


@pytest.mark.parametrize("n", N_VALUES)
def test_loss_definitions(n):
    y, z = random_case(n)
    p = softmax(z)
    torch.testing.assert_close(losses.squared_error(y, p), ((y - p) ** 2).sum(-1))
    torch.testing.assert_close(losses.cross_entropy(y, p), -(y * p.log()).sum(-1))
    torch.testing.assert_close(losses.kl_divergence(y, p), (y * (y / p).log()).sum(-1))
    torch.testing.assert_close(losses.entropy(y), -(y * y.log()).sum(-1))


@pytest.mark.parametrize("n", N_VALUES)
def test_kl_is_cross_entropy_minus_entropy(n):
    y, z = random_case(n, seed=1)
    p = softmax(z)
    kl = losses.kl_divergence(y, p)
    torch.testing.assert_close(kl, losses.cross_entropy(y, p) - losses.entropy(y))
    assert (kl >= 0).all() and (losses.entropy(y) >= 0).all()


@pytest.mark.parametrize("n", N_VALUES)
def test_values_at_y_equals_p(n):
    y, _ = random_case(n, seed=2)
    zero = torch.zeros(len(y), dtype=torch.float64)
    torch.testing.assert_close(losses.squared_error(y, y), zero)
    torch.testing.assert_close(losses.kl_divergence(y, y), zero)
    torch.testing.assert_close(losses.cross_entropy(y, y), losses.entropy(y))


@pytest.mark.parametrize("n", N_VALUES)
def test_gradients_with_respect_to_p(n):
    y, z = random_case(n, seed=3)
    p = softmax(z)
    torch.testing.assert_close(
        losses.squared_error_grad_p(y, p),
        autograd_grad(lambda q: losses.squared_error(y, q), p),
    )
    torch.testing.assert_close(
        losses.cross_entropy_grad_p(y, p),
        autograd_grad(lambda q: losses.cross_entropy(y, q), p),
    )


@pytest.mark.parametrize("n", N_VALUES)
@pytest.mark.parametrize(
    ("name", "loss"),
    [
        ("cross_entropy", losses.cross_entropy),
        ("kl_divergence", losses.kl_divergence),
        ("squared_error", losses.squared_error),
        ("sampled_l1", losses.sampled_l1),
    ],
)
def test_gradients_with_respect_to_z(n, name, loss):
    closed_form = {
        "cross_entropy": losses.cross_entropy_grad_z,
        "kl_divergence": losses.cross_entropy_grad_z,
        "squared_error": losses.squared_error_grad_z,
        "sampled_l1": losses.sampled_l1_grad_z,
    }[name]
    y, z = random_case(n, seed=4)
    expected = autograd_grad(lambda t: loss(y, softmax(t)), z)
    torch.testing.assert_close(closed_form(y, z), expected)


def test_general_forms_spelled_out():
    y, z = random_case(4, seed=5)
    p, J = softmax(z), softmax_jacobian(z)
    torch.testing.assert_close(losses.cross_entropy_grad_z(y, z), p - y)
    expected = 2 * torch.einsum("bij,bj->bi", J, p - y)
    torch.testing.assert_close(losses.squared_error_grad_z(y, z), expected)


def test_two_class_closed_forms():
    y, z = random_case(2, batch=50, seed=6)
    p = softmax(z)
    p1, y1 = p[:, 1], y[:, 1]
    ce = autograd_grad(lambda t: losses.cross_entropy(y, softmax(t)), z)[:, 1]
    se = autograd_grad(lambda t: losses.squared_error(y, softmax(t)), z)[:, 1]
    # The chapter's two-class forms (eq-ce-z1, eq-se-z1); the package keeps only the general ones
    # (the SE form is an exercise's answer).
    torch.testing.assert_close(p1 - y1, ce)
    torch.testing.assert_close(4 * p1 * (1 - p1) * (p1 - y1), se)
    torch.testing.assert_close(losses.squared_error_grad_z(y, z)[:, 1], se)
    l1 = 2 * y[:, 0] * p[:, 1] + 2 * y[:, 1] * p[:, 0]
    torch.testing.assert_close(losses.sampled_l1(y, p), l1)


@pytest.mark.parametrize("n", [2, 3])
def test_sampled_l1_is_the_expected_distance_between_one_hot_samples(n):
    y, z = random_case(n, batch=3, seed=7)
    p = softmax(z)
    eye = torch.eye(n, dtype=torch.float64)
    expected = sum(
        y[:, a] * p[:, b] * (eye[a] - eye[b]).abs().sum()
        for a, b in itertools.product(range(n), repeat=2)
    )
    torch.testing.assert_close(losses.sampled_l1(y, p), expected)


@pytest.mark.parametrize("y1", [0.1, 0.37, 0.9])
def test_curvature_at_the_optimum(y1):
    y = torch.tensor([1 - y1, y1], dtype=torch.float64)
    optimum = torch.logit(torch.tensor(y1, dtype=torch.float64)).requires_grad_()

    def along_z1(loss):
        return lambda m: loss(y, softmax(torch.stack([torch.zeros_like(m), m])))

    _, ce2 = derivatives(along_z1(losses.cross_entropy), optimum, 2)
    _, se2 = derivatives(along_z1(losses.squared_error), optimum, 2)
    torch.testing.assert_close(ce2, torch.tensor(y1 * (1 - y1), dtype=torch.float64))
    torch.testing.assert_close(se2, torch.tensor(4 * (y1 * (1 - y1)) ** 2, dtype=torch.float64))


@pytest.mark.parametrize("y1", [0.0, 1.0])
def test_edge_targets_are_finite(y1):
    z = torch.tensor([[0.3, -1.2], [40.0, -40.0]], dtype=torch.float64)
    y = torch.tensor([1 - y1, y1], dtype=torch.float64).expand_as(z)
    p = softmax(z)
    for name, (loss, grad) in losses.LOSSES.items():
        assert torch.isfinite(loss(y, p)).all(), name
        assert torch.isfinite(grad(y, z)).all(), name
        torch.testing.assert_close(grad(y, z), autograd_grad(lambda t, f=loss: f(y, softmax(t)), z))
    assert torch.isfinite(losses.entropy(y)).all()


def test_two_class_curves_shape_and_optimum():
    margin = torch.linspace(-6, 6, 241, dtype=torch.float64)
    curves = losses.two_class_curves(0.5, margin)
    assert set(curves) == {"KL", "CE", "SE", "L1"}
    for loss, grad in curves.values():
        assert loss.shape == grad.shape == margin.shape
    kl, kl_grad = curves["KL"]
    assert kl[120].item() == pytest.approx(0, abs=1e-15)  # margin 0 is the optimum for y1 = 0.5
    assert kl_grad[120].item() == pytest.approx(0, abs=1e-15)
