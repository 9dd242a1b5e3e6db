"""Chapter 1. Formulas checked against autograd:

- power rule on coefficients, c'_{k-1} = k c_k, applied any number of times (eq-power-rule);
- the gradient of y.sum() is the pointwise derivative of an elementwise map (eq-sum-trick);
- derivatives past the degree are exactly zero.
"""

import pytest
import torch

from dlbook.calculus import (
    derivatives,
    format_polynomial,
    polynomial,
    power_rule,
)

P0 = (5, -4, 3, -2, 1)


@pytest.mark.parametrize("degree", range(9))
def test_power_rule_matches_autograd_on_random_polynomials(degree):
    generator = torch.Generator().manual_seed(1000 + degree)
    coefficients = torch.randn(degree + 1, generator=generator, dtype=torch.float64).tolist()
    x = (4 * torch.rand(50, generator=generator, dtype=torch.float64) - 2).requires_grad_()
    by_autograd = derivatives(polynomial(coefficients), x, degree + 2)
    for order, actual in enumerate(by_autograd, start=1):
        expected = polynomial(power_rule(coefficients, order))(x)
        torch.testing.assert_close(actual, expected, rtol=1e-10, atol=1e-9)


def test_sum_trick_gives_the_jacobian_diagonal():
    x = torch.linspace(-2, 3, 7, dtype=torch.float64, requires_grad=True)
    p0 = polynomial(P0)
    jacobian = torch.autograd.functional.jacobian(p0, x)
    assert torch.equal(jacobian, torch.diag(torch.diagonal(jacobian)))  # elementwise map
    (first,) = derivatives(p0, x, 1)
    torch.testing.assert_close(first, torch.diagonal(jacobian))


@pytest.mark.parametrize("degree", [0, 1, 4, 8])
def test_orders_past_the_degree_are_exactly_zero(degree):
    coefficients = torch.arange(1.0, degree + 2).tolist()
    x = torch.linspace(-2, 3, 11, dtype=torch.float64, requires_grad=True)
    result = derivatives(polynomial(coefficients), x, degree + 3)
    for order in range(degree + 1, degree + 4):
        assert power_rule(coefficients, order) == ()
        assert torch.equal(polynomial(())(x), torch.zeros_like(x))
        assert torch.equal(result[order - 1], torch.zeros_like(x)), order


def test_p0_known_derivatives():
    assert power_rule(P0, 0) == (5, -4, 3, -2, 1)
    assert power_rule(P0, 1) == (-4, 6, -6, 4)
    assert power_rule(P0, 4) == (24,)
    assert polynomial(P0)(torch.tensor(3.0)).item() == 47


def test_constant_polynomial_broadcasts_to_the_shape_of_x():
    x = torch.linspace(-2, 3, 100)
    assert torch.equal(polynomial((24,))(x), torch.full_like(x, 24))


def test_zero_order_returns_nothing():
    x = torch.ones(3, requires_grad=True)
    assert derivatives(polynomial(P0), x, 0) == []


def test_a_graph_that_ends_early_gives_zeros_not_an_error():
    x = torch.linspace(-1, 1, 5, requires_grad=True)
    first, second, third = derivatives(lambda t: 3 * t, x, 3)
    assert torch.equal(first, torch.full_like(x, 3))
    assert torch.equal(second, torch.zeros_like(x)) and torch.equal(third, torch.zeros_like(x))


def test_x_without_requires_grad_is_a_clear_error():
    with pytest.raises(ValueError, match="requires_grad=True"):
        derivatives(polynomial(P0), torch.linspace(-2, 3, 5), 1)


@pytest.mark.parametrize("n", [-1, 1.5, True, "2"])
def test_bad_order_is_a_clear_error(n):
    x = torch.ones(3, requires_grad=True)
    with pytest.raises(ValueError, match="non-negative integer"):
        derivatives(polynomial(P0), x, n)


def test_x_must_be_a_tensor():
    with pytest.raises(TypeError, match="torch.Tensor"):
        derivatives(polynomial(P0), [1.0, 2.0], 1)


@pytest.mark.parametrize("order", [-1, 0.5])
def test_power_rule_rejects_bad_orders(order):
    with pytest.raises(ValueError, match="non-negative integer"):
        power_rule(P0, order)


@pytest.mark.parametrize(
    ("coefficients", "text"),
    [
        (P0, "x⁴ − 2x³ + 3x² − 4x + 5"),
        ((0, 1), "x"),
        ((-1, 0, -1), "−x² − 1"),
        ((), "0"),
        ((0, 0), "0"),
        ((2.5,), "2.5"),
    ],
)
def test_format_polynomial(coefficients, text):
    assert format_polynomial(coefficients) == text
