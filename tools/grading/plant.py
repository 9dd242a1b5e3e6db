"""The hidden tests' own test, run by `make assignments` beside each solution: a planted answer
that is right on every input the self-check gives it and wrong (off by one) on any other. The
self-check must pass it and the hidden tests must not: otherwise they only repeat the
self-check's inputs, and an answer that special-cases those would score.

The plant wraps the solution's function in the same kernel, right after the solution's own
run: it remembers the inputs it sees during the self-check (tensors by value, numbers and
strings by value, other objects by identity), then the hidden tests run against it.
"""

import json

from tools.grading import kernel

PLANT = """\
def _dlbook_plant(right):
    seen, state = set(), {{"memorize": True}}

    def key(value):
        if hasattr(value, "tolist") and hasattr(value, "shape"):
            values = value.detach().cpu() if hasattr(value, "detach") else value
            return ("tensor", tuple(value.shape), str(value.dtype), repr(values.tolist()))
        if value is None or isinstance(value, bool | int | float | str):
            return repr(value)
        if isinstance(value, list | tuple):
            return tuple(key(item) for item in value)
        return ("object", id(value))

    def planted(*args, **kwargs):
        result = right(*args, **kwargs)
        called = (tuple(map(key, args)), tuple(sorted((k, key(v)) for k, v in kwargs.items())))
        if state["memorize"]:
            seen.add(called)
        if called in seen:
            return result
        if isinstance(result, list | tuple):
            return type(result)([*result, -1])
        return result + 1

    return planted, state


_dlbook_right = {function}
{function}, _dlbook_planted = _dlbook_plant({function})
"""


def run(session: kernel.Kernel, exercise: dict, checks: list[str]) -> dict:
    """Plant the wrong answer in `session` (where the solution just ran), run the self-check
    and the hidden tests against it, put the solution back. Returns {"check": "passed" or what
    failed, "records": what the hidden tests recorded, "stop": why the kernel stopped or None}."""
    function = exercise["function"]
    planted = {"check": "passed", "records": [], "stop": None}
    steps = [(PLANT.format(function=function), "plant")]
    steps += [(source, "check") for source in checks]
    steps += [('_dlbook_planted["memorize"] = False', "plant")]
    steps += [(kernel.hidden_cell(source), "hidden") for source in exercise["hidden"]]
    steps += [(f"{function} = _dlbook_right", "plant")]
    for source, step in steps:
        ran = session.run(source, history=False)
        if ran["stop"]:
            planted["stop"] = ran["stop"]
            break
        if step == "check" and (ran["error"] or "self-check passed" not in ran["outputs"]):
            planted["check"] = ran["error"][0] if ran["error"] else "no verdict"
        if step == "plant" and ran["error"]:
            planted["check"] = f"not planted ({ran['error'][0]})"
        if step == "hidden":
            planted["records"] += [json.loads(line) for line in ran["records"].splitlines()]
    return planted
