"""The course folder's assignments: made from the book by `make assignments`, read back by
`make grade`, which grades against what was released even if the book moved on since.

    _build/assignments/
      nbgrader_config.py  gradebook.db        nbgrader's course (gradebook.py)
      source/<a>/<a>.ipynb                   the chapter with solutions and hidden tests
      release/<a>/<a>.ipynb                  what students get: the published notebook
      autograder/<a>/plan.json               what a worker needs: release cells, hidden tests
      autograder/<a>/solved.ipynb            the release answered with the solutions
      autograder/<a>/expected.json           what the solutions recorded (compare.py)
      submitted/, autograded/                make grade: each student's notebook, as sent and
                                             as graded (answers in place, for formgrader)
"""

import json
import re
from dataclasses import asdict
from pathlib import Path

import jupytext
import nbformat

from tools import settings
from tools.grading import exercises as chapter_exercises
from tools.grading import locate, release
from tools.grading.submission import Plan

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "_build" / "assignments"
SOLUTION = re.compile(
    r"^:::\{solution\}[ \t]*(\S+)[ \t]*\n(?::\w+:[^\n]*\n)*(.*?)^:::[ \t]*$", re.M | re.S
)


class CourseError(RuntimeError):
    pass


def plans(root: Path = ROOT, grading: settings.Grading | None = None) -> dict[str, tuple]:
    """Each assignment's (Plan, release notebook, source notebook), made from the book."""
    from tools.student import publish  # the student repository's notebooks are the releases

    grading = grading or settings.grading(root)
    published = publish.published_notebooks(root)
    made = {}
    for name, points in grading.assignments.items():
        page = root / "book" / f"{name}.md"
        if f"{name}.ipynb" not in published:
            raise CourseError(f"course.grading.assignments: no chapter book/{name}.md")
        found = chapter_exercises.with_points(page, points)
        notebook = published[f"{name}.ipynb"]
        plan = Plan(
            assignment=name,
            release=[(c.cell_type, c.source) for c in notebook.cells],
            roles=[release.role(c) for c in notebook.cells],
            exercises=[asdict(e) for e in found if e.tests or e.prose],
            timeout=grading.timeout,
            memory_gb=grading.memory_gb,
        )
        made[name] = (plan, notebook, jupytext.read(page))
    for name, (plan, _, _) in made.items():  # to tell another chapter's notebook from this one
        plan.others = {
            other: {locate.normal(p.release[i][1]) for i in p.context()}
            for other, (p, _, _) in made.items()
            if other != name
        }
    return made


def solved(plan: Plan, notebook, source) -> nbformat.NotebookNode:
    """The release answered as the solutions answer it: each stub replaced by the solution
    cell, each answer cell by the solution's text (what `make assignments` grades, and what
    tests submit as an instructor's notebook)."""
    texts = {
        label: text.strip()
        for label, text in SOLUTION.findall(
            "\n".join(c.source for c in source.cells if c.cell_type == "markdown")
        )
    }
    notebook = nbformat.from_dict(notebook)
    by_label = {e["label"]: e for e in plan.exercises}
    for cell in notebook.cells:
        role = release.role(cell)
        exercise = by_label.get(role.get("exercise"))
        if exercise and role["role"] == "answer":
            cell.source = exercise["solution"]
        elif exercise and role["role"] == "prose":
            cell.source = texts.get(exercise["label"], "") or "(no solution text)"
    return notebook


def save_plan(plan: Plan, folder: Path) -> None:
    data = asdict(plan) | {"others": {k: sorted(v) for k, v in plan.others.items()}}
    (folder / "plan.json").write_text(json.dumps(data, indent=1, sort_keys=True))


def load_plan(folder: Path) -> Plan:
    data = json.loads((folder / "plan.json").read_text())
    data["release"] = [tuple(cell) for cell in data["release"]]
    data["others"] = {k: set(v) for k, v in data["others"].items()}
    return Plan(**data)


def load(folder: Path = FOLDER) -> dict[str, tuple[Plan, dict]]:
    """Each released assignment's (Plan, expected values) from the course folder."""
    autograder = folder / "autograder"
    if not (folder / "gradebook.db").exists() or not autograder.is_dir():
        raise CourseError(f"no course in {folder}: run `make assignments` first")
    loaded = {}
    for path in sorted(autograder.iterdir()):
        if not (path / "expected.json").exists():
            raise CourseError(f"{path}: no expected values: run `make assignments` again")
        loaded[path.name] = (load_plan(path), json.loads((path / "expected.json").read_text()))
    return loaded
