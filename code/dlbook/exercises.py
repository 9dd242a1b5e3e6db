"""The self-checks under each exercise: they must not stop a student's
"Run all" while an exercise is still a TODO. And `record`, which the
instructor's hidden tests call when a course grades the exercises."""

import contextlib
import json
import os

TODO = "TODO: your code here"
# The file the grader names for `record` (tools/grading); unset in a
# student's notebook, where `record` does nothing.
RECORD = "DLBOOK_RECORD"


@contextlib.contextmanager
def self_check():
    """Say "self-check passed", or that the exercise above is still a TODO.

    A wrong answer still fails loudly (its AssertionError passes through);
    only an unanswered one (NotImplementedError) is reported and skipped.

    Returns:
        A context manager: ``with self_check(): ...`` around the checks.
    """
    try:
        yield
    except NotImplementedError as todo:
        print(f"self-check skipped: {todo} (the exercise above)")
    else:
        print("self-check passed")


def plain(value):
    """`value` as JSON's types: tensors and arrays as {"shape", "values"}.

    Args:
        value: a tensor or NumPy array, a number, bool, string or None, or
            a list, tuple or dict of these (dict keys become strings).

    Returns:
        The same data built only of dicts, lists, ints, floats, bools,
        strings and None: what a grader can compare without running code.
    """
    if hasattr(value, "tolist") and hasattr(value, "shape"):  # tensor, array
        values = value.detach() if hasattr(value, "detach") else value
        return {"shape": list(value.shape), "values": plain(values.tolist())}
    if value is None or isinstance(value, bool | str | int):
        return value  # an int stays one: counts are compared exactly
    if isinstance(value, float):
        return value
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    raise TypeError(f"record: cannot record a {type(value).__name__}")


def record(value) -> None:
    """Hand `value` to the grader: a hidden test's result, written as JSON
    to the file the environment variable DLBOOK_RECORD names; nothing
    happens where it is unset (the book's pages, a student's notebook).

    Args:
        value: what `plain` accepts, e.g. a tensor the answer returned.
    """
    path = os.environ.get(RECORD)
    if not path:
        return
    line = json.dumps(plain(value), allow_nan=True)
    with open(path, "a", encoding="utf-8") as results:
        results.write(line + "\n")
