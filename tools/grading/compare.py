"""The comparison with the solutions, in the grader's own process, which no submission reaches.

The expected values are the records the instructor's solutions wrote under the same harness
(`make assignments`); a submission's records are untrusted JSON. They agree when the
structure, shapes, strings and bools are the same, integers are equal and floats agree as
numpy.allclose says, with the course's tolerances (NaN agrees with NaN). A tensor of shape ()
agrees with a number.
"""

import math

import numpy as np


def is_tensor(value) -> bool:
    return isinstance(value, dict) and set(value) == {"shape", "values"}


def agree(expected, found, rtol: float, atol: float) -> bool:
    try:
        return _agree(expected, found, rtol, atol)
    except (TypeError, ValueError, OverflowError, RecursionError):
        return False  # found's structure is not expected's


def _agree(expected, found, rtol, atol) -> bool:
    if is_tensor(expected) and expected["shape"] == []:
        expected = expected["values"]
    if is_tensor(found) and found["shape"] == []:
        found = found["values"]
    if is_tensor(expected):
        if not is_tensor(found) or found["shape"] != expected["shape"]:
            return False
        want, got = np.asarray(expected["values"]), np.asarray(found["values"])
        if want.dtype.kind in "iu" and got.dtype.kind in "fiu":  # integers: exactly
            return got.shape == want.shape and bool(np.array_equal(got, want))
        if want.dtype.kind == "f" and got.dtype.kind in "fiu":
            return got.shape == want.shape and bool(
                np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
            )
        return _agree(expected["values"], found["values"], rtol, atol)
    if isinstance(expected, dict):
        return (
            isinstance(found, dict)
            and found.keys() == expected.keys()
            and all(_agree(expected[key], found[key], rtol, atol) for key in expected)
        )
    if isinstance(expected, list):
        return (
            isinstance(found, list)
            and len(found) == len(expected)
            and all(_agree(e, f, rtol, atol) for e, f in zip(expected, found, strict=True))
        )
    if isinstance(expected, int) and not isinstance(expected, bool):  # a count: exactly
        return not isinstance(found, bool) and isinstance(found, int | float) and found == expected
    if isinstance(expected, float):
        if isinstance(found, bool) or not isinstance(found, int | float):
            return False
        if math.isnan(expected) or math.isnan(found):
            return math.isnan(expected) and math.isnan(found)
        return bool(np.isclose(found, expected, rtol=rtol, atol=atol))
    return type(found) is type(expected) and found == expected


def hidden_checks(expected: list, found: list, rtol: float, atol: float) -> tuple[int, int]:
    """(how many of the expected records the submission's agree with, how many there are)."""
    same = sum(
        agree(want, found[i], rtol, atol) if i < len(found) else False
        for i, want in enumerate(expected)
    )
    return same, len(expected)


def code_score(outcome: dict, expected: list, points: float, rtol: float, atol: float):
    """(score, status, agreeing checks, checks) of a code exercise: full points when every
    hidden check agrees and none is missing or extra, else 0 with the reason."""
    status = outcome["status"]
    if status != "ran":
        return 0.0, status, 0, len(expected)
    same, total = hidden_checks(expected, outcome["records"], rtol, atol)
    error = outcome.get("hidden_error") or ""
    if error == "NotImplementedError":
        return 0.0, "not answered", same, total
    if same == total and len(outcome["records"]) == total and not error:
        return float(points), "correct", same, total
    if error:
        return 0.0, f"error in the hidden tests: {error}", same, total
    return 0.0, f"incorrect: {same} of {total} hidden checks agree", same, total
