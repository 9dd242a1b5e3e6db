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
import torch.nn.functional as F

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


def test_cross_entropy_on_logits_is_pytorchs_and_never_overflows():
    y, z = random_case(5, batch=40, seed=11)
    torch.testing.assert_close(
        losses.cross_entropy_logits(y, z), F.cross_entropy(z, y, reduction="none")
    )
    torch.testing.assert_close(
        losses.cross_entropy_logits(y, z), losses.cross_entropy(y, softmax(z))
    )
    # A logit gap of 200 in float32: the naive composition is inf, the logits form is exact.
    z32, y32 = torch.tensor([[0.0, -200.0]]), torch.tensor([[0.0, 1.0]])
    assert torch.isinf(losses.cross_entropy(y32, softmax(z32))).all()
    assert losses.cross_entropy_logits(y32, z32).item() == 200.0
    assert F.cross_entropy(z32, y32).item() == 200.0


@pytest.mark.parametrize("total", [1.0, 0.6, 2.5])
def test_cross_entropy_logits_gradient_and_hessian(total):
    """∂CE/∂z = (Σy) p − y for any non-negative y, and the Hessian is (Σy) J ⪰ 0."""
    generator = torch.Generator().manual_seed(int(10 * total))
    z = torch.randn(4, dtype=torch.float64, generator=generator)
    y = torch.rand(4, dtype=torch.float64, generator=generator)
    y = total * y / y.sum()
    p = softmax(z)
    grad = torch.autograd.functional.jacobian(lambda t: losses.cross_entropy_logits(y, t), z)
    torch.testing.assert_close(grad, total * p - y)
    hessian = torch.autograd.functional.hessian(lambda t: losses.cross_entropy_logits(y, t), z)
    torch.testing.assert_close(hessian, total * softmax_jacobian(z))
    assert torch.linalg.eigvalsh(hessian).min() > -1e-12


def test_cross_entropy_minimiser_is_the_maximum_likelihood_estimate():
    generator = torch.Generator().manual_seed(12)
    outcomes = torch.multinomial(torch.tensor([0.5, 0.3, 0.2]), 1000, True, generator=generator)
    frequencies = torch.bincount(outcomes, minlength=3).double() / 1000
    z = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([z], max_iter=100)

    def closure():
        optimizer.zero_grad()
        # mean CE over the samples (one-hot targets) = negative mean log-likelihood
        loss = F.cross_entropy(z.expand(1000, 3), outcomes)
        loss.backward()
        return loss

    optimizer.step(closure)
    torch.testing.assert_close(softmax(z.detach()), frequencies, atol=1e-6, rtol=0)


def test_log_and_brier_scores_are_strictly_proper_sampled_l1_is_not():
    for seed in range(5):
        generator = torch.Generator().manual_seed(100 + seed)
        y = softmax(torch.randn(3, dtype=torch.float64, generator=generator))
        for name, minimiser in losses.score_minimisers(y).items():
            distance = (minimiser - y).abs().max().item()
            if name == "sampled L1":
                assert distance > 0.1 and minimiser.max() > 0.99  # a vertex
            else:
                assert distance < 1e-4, name


def test_squared_error_gradient_vanishes_as_the_softmax_saturates():
    """‖∂SE/∂z‖ ≤ 4√2 (1 − max p) for any n and any target; CE's pull on the right class,
    1 − p_c, is at least max p when another class holds the maximum."""
    generator = torch.Generator().manual_seed(13)
    for n in (2, 5, 50):
        for gap in (2.0, 8.0, 20.0):
            z = torch.randn(n, dtype=torch.float64, generator=generator)
            z[0] += gap  # confident in class 0
            y = torch.zeros(n, dtype=torch.float64)
            y[1] = 1.0  # but the answer is class 1
            p = softmax(z)
            se = losses.squared_error_grad_z(y, z).norm()
            assert se <= 4 * 2**0.5 * (1 - p.max()) + 1e-15
            assert -(p - y)[1] >= p.max() - 1e-12
