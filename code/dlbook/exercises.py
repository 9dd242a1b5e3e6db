"""The self-checks under each exercise: they must not stop a student's
"Run all" while an exercise is still a TODO."""

import contextlib

TODO = "TODO: your code here"


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
