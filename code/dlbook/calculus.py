"""Chapter 1: polynomials, the power rule, and derivatives by autograd.

A polynomial is a sequence of coefficients in increasing powers, ``(c0, c1,
..., cd)`` for ``c0 + c1*x + ... + cd*x**d`` (numpy.polynomial's order).
"""

from collections.abc import Callable, Sequence

import torch

SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def polynomial(
    coefficients: Sequence[float],
) -> Callable[[torch.Tensor], torch.Tensor]:
    """Return the function x ↦ Σₖ cₖ xᵏ, elementwise on a tensor x.

    Args:
        coefficients (`Sequence[float]`):
            c₀, c₁, ..., in increasing powers.

    Returns:
        A function from a tensor x to a tensor shaped like x.
    """
    coefficients = tuple(float(c) for c in coefficients)

    def p(x: torch.Tensor) -> torch.Tensor:
        # Start from a tensor shaped like x so that a constant polynomial
        # (such as the 4th derivative of a quartic) still gives one value per
        # point.
        y = torch.zeros_like(x)
        # Horner: fewer roundings than summing powers
        for c in reversed(coefficients):
            y = y * x + c
        return y

    return p


def power_rule(
    coefficients: Sequence[float], order: int = 1
) -> tuple[float, ...]:
    """Coefficients of the `order`-th derivative, by d/dx xᵏ = k xᵏ⁻¹ applied
    `order` times.

    Args:
        coefficients (`Sequence[float]`):
            c₀, c₁, ..., in increasing powers.
        order (`int`, defaults to 1):
            How many times to differentiate, ≥ 0.

    Returns:
        `tuple[float]`: the derivative's coefficients; past the degree,
        ``()``, the zero polynomial.
    """
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        raise ValueError(
            f"order must be a non-negative integer, got {order!r}"
        )
    coefficients = tuple(float(c) for c in coefficients)
    for _ in range(order):
        coefficients = tuple(k * c for k, c in enumerate(coefficients))[1:]
    return coefficients


def derivatives(
    f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor, n: int
) -> list[torch.Tensor]:
    """The first `n` derivatives of an elementwise function f at the points
    x, by autograd.

    Args:
        f (`Callable`):
            An elementwise function of a tensor, built from torch ops.
        x (`torch.Tensor`):
            The points, created with requires_grad=True.
        n (`int`):
            How many derivatives, ≥ 0.

    Returns:
        `list[torch.Tensor]`: ``[f'(x), f''(x), ..., f⁽ⁿ⁾(x)]``, each
        shaped like x.
    """
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if not x.requires_grad:
        raise ValueError(
            "x does not require grad, so autograd cannot differentiate with "
            "respect to it: create it with requires_grad=True, e.g. "
            "torch.linspace(-2, 3, 100, requires_grad=True)"
        )
    result = []
    y = f(x)
    for _ in range(n):
        if y.requires_grad:
            # f acts elementwise, so its Jacobian is diagonal: the gradient
            # of y.sum() holds exactly the diagonal, f'(xᵢ) at every point.
            # create_graph=True records this step too, so the next pass can
            # differentiate it again.
            (dy,) = torch.autograd.grad(y.sum(), x, create_graph=True)
        else:
            # The graph no longer reaches x: autograd is telling us y is
            # constant in x.
            dy = torch.zeros_like(x)
        result.append(dy)
        y = dy
    return result


def format_polynomial(coefficients: Sequence[float], var: str = "x") -> str:
    """Human-readable form, highest power first.

    Args:
        coefficients (`Sequence[float]`):
            c₀, c₁, ..., in increasing powers.
        var (`str`, defaults to "x"):
            The variable's name.

    Returns:
        `str`: e.g. 'x⁴ − 2x³ + 3x² − 4x + 5' for (5, -4, 3, -2, 1).
    """
    terms = []
    for k in reversed(range(len(coefficients))):
        c = float(coefficients[k])
        if c == 0:
            continue
        magnitude = f"{abs(c):g}"
        if k > 0 and magnitude == "1":
            magnitude = ""
        power = (
            ""
            if k == 0
            else var
            if k == 1
            else var + str(k).translate(SUPERSCRIPTS)
        )
        sign = "−" if c < 0 else "+"
        terms.append((sign, magnitude + power))
    if not terms:
        return "0"
    first_sign, first = terms[0]
    text = ("−" if first_sign == "−" else "") + first
    return text + "".join(f" {sign} {term}" for sign, term in terms[1:])
