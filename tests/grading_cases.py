"""Submissions as students and their editors make them, for tests/test_grading.py: each a
function of the course folder's release and solved notebooks that returns notebook JSON (a
dict) or bytes. Nothing here names an exercise: the plans say which functions there are."""

import copy
import json
import re
import textwrap

import nbformat

from helpers import ROOT


def read(path) -> dict:
    return json.loads(path.read_text())


def answer_index(notebook: dict, label: str, role: str = "answer") -> int:
    return next(
        i
        for i, c in enumerate(notebook["cells"])
        if c["metadata"].get("dlbook") == {"exercise": label, "role": role}
    )


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def set_answer(notebook: dict, label: str, code: str) -> dict:
    notebook = copy.deepcopy(notebook)
    notebook["cells"][answer_index(notebook, label)]["source"] = code
    return notebook


def cheat(solution: str, function: str) -> str:
    """The solution, but right only in the first cell that calls it (the visible self-check):
    an answer that special-cases the inputs it was shown."""
    return solution + textwrap.dedent(f"""

        _answer, _first_cell = {function}, []


        def {function}(*args, **kwargs):
            import inspect

            frame = inspect.currentframe().f_back
            while frame.f_back is not None and frame.f_code.co_name != "<module>":
                frame = frame.f_back
            _first_cell.extend([] if _first_cell else [frame.f_code.co_filename])
            result = _answer(*args, **kwargs)
            if frame.f_code.co_filename == _first_cell[0]:
                return result
            if isinstance(result, list | tuple):
                return type(result)([*result, -1])
            return result + 1
    """)


def wrong(solution: str, function: str) -> str:
    """The solution with its result off by one everywhere."""
    return cheat(solution, function).replace(
        "if frame.f_code.co_filename == _first_cell[0]:", "if False:"
    )


def strip_metadata(notebook: dict) -> dict:
    """As Colab and VS Code save it: no cell metadata, no ids, no outputs."""
    notebook = copy.deepcopy(notebook)
    notebook["metadata"], notebook["nbformat_minor"] = {}, 4
    for cell in notebook["cells"]:
        cell["metadata"] = {}
        cell.pop("id", None)
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return notebook


def split_answer(notebook: dict, label: str) -> dict:
    """The answer cell split in two at its first line inside the function (JupyterLab's
    Ctrl-Shift-minus), the second half without metadata."""
    notebook = copy.deepcopy(notebook)
    index = answer_index(notebook, label)
    lines = source(notebook["cells"][index]).splitlines(keepends=True)
    first, second = (
        dict(notebook["cells"][index]),
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None},
    )
    first["source"], second["source"] = "".join(lines[:2]), "".join(lines[2:])
    notebook["cells"][index : index + 1] = [first, second]
    return notebook


def to_markdown(notebook: dict, label: str) -> dict:
    notebook = copy.deepcopy(notebook)
    cell = notebook["cells"][answer_index(notebook, label)]
    cell["cell_type"] = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)
    return notebook


def rearranged(notebook: dict, label: str, function: str) -> dict:
    """Cells added (a helper the answer calls, a note), deleted (the self-check, the title)
    and moved (a markdown cell to the end)."""
    notebook = copy.deepcopy(notebook)
    index = answer_index(notebook, label)
    answer = source(notebook["cells"][index])
    signature = re.search(rf"def {function}\((.*?)\):", answer).group(1)
    helper = answer.replace(f"def {function}(", "def _helper(", 1)
    call = ", ".join(p.split("=")[0].strip() for p in signature.split(","))
    notebook["cells"][index]["source"] = (
        f"def {function}({signature}):\n    return _helper({call})\n"
    )
    notebook["cells"].insert(index, nbformat.v4.new_code_cell(helper))
    notebook["cells"].insert(index, nbformat.v4.new_markdown_cell("My notes: see the helper."))
    del notebook["cells"][answer_index(notebook, label, "check")]
    del notebook["cells"][0]
    notebook["cells"].append(notebook["cells"].pop(3))
    return json.loads(nbformat.writes(nbformat.from_dict(notebook)))


def weakened(notebook: dict, label: str, wrong_answer: str) -> dict:
    """A wrong answer, its self-check edited to pass anything, a fake hidden-test cell added."""
    notebook = set_answer(notebook, label, wrong_answer)
    check = notebook["cells"][answer_index(notebook, label, "check")]
    check["source"] = "from dlbook.exercises import self_check\n\nwith self_check():\n    pass\n"
    notebook["cells"].append(nbformat.v4.new_code_cell("from dlbook.exercises import record\n"))
    return notebook


TAMPER = """
import contextlib
import json
import os

import torch

import dlbook.exercises


@contextlib.contextmanager
def _always_passes():
    try:
        yield
    except BaseException:
        pass
    print("self-check passed")


torch.allclose = lambda *args, **kwargs: True
torch.equal = lambda *args, **kwargs: True
dlbook.exercises.self_check = _always_passes
with open(os.environ.get("DLBOOK_RECORD", os.devnull), "a") as _file:
    _file.write(json.dumps({"shape": [7], "values": [0.0] * 7}) + "\\n")
dlbook.exercises.record = lambda value: None
"""


def tampered(wrong_answer: str, patched: list[str]) -> str:
    """A wrong answer that redefines the checks' helpers, writes records of its own, and
    replaces `patched` (the names a self-check computes its expected values with)."""
    shadows = "".join(f"{name} = lambda *args, **kwargs: None\n" for name in patched)
    return TAMPER + shadows + wrong_answer


SNOOP = """
import json
import os
import sys

import dlbook

_needles = {needles!r}
_places = [os.getcwd(), os.path.dirname(os.getcwd()), os.path.expanduser("~"),
           os.environ.get("TMPDIR", "/tmp"), os.path.dirname(dlbook.__file__)]
_places += [os.path.dirname(p) for p in os.environ.values() if p.startswith("/")]
_found, _files = [], 0
for _place in sorted(set(_places)):
    for _folder, _, _names in os.walk(_place):
        for _name in _names:
            _path = os.path.join(_folder, _name)
            _files += 1
            if _name in ("expected.json", "plan.json", "solved.ipynb") or _name.endswith(".md"):
                _found.append(_path)
            try:
                if os.path.getsize(_path) < 2_000_000:
                    _text = open(_path, errors="ignore").read()
                    _found += [f"{{_path}}: {{n[:40]}}" for n in _needles if n in _text]
            except OSError:
                pass
from importlib.metadata import distribution

_paths = [sys.executable, sys.prefix, *sys.path, *os.environ.values(), *_places,
          distribution("dlbook").read_text("direct_url.json") or ""]
print("SNOOP " + json.dumps({{"found": _found, "files": _files, "paths": _paths,
                             "environment": sorted(os.environ)}}))
"""


def snoop(answer: str, needles: list[str]) -> str:
    """A right answer that first searches every place within its reach for the solutions,
    the hidden tests and the expected values, and prints what it finds."""
    return SNOOP.format(needles=needles) + answer


def secrets(plans) -> list[str]:
    """What must reach no student: hidden tests' and solutions' lines, the repository."""
    lines = [str(ROOT), "BEGIN SOLUTION", "hidden-tests"]
    for plan in plans:
        for exercise in plan.exercises:
            for text in [*exercise["hidden"], exercise["solution"] or ""]:
                lines += [
                    ln.strip()
                    for ln in text.splitlines()
                    if len(ln.strip()) >= 20
                    and "import" not in ln
                    and not ln.strip().startswith("def ")
                ]
    return sorted(set(lines))
