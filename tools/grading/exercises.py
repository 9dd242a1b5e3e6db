"""A chapter's exercises as its source states them (book/NN-topic.md), and their points.

An exercise is sphinx-exercise's `:::{exercise}` with a `:label:`. Cells after it, up to the
next exercise, belong to it:

    tags: [solution, ...]        the answer (one function), between the solution markers
    tags: [self-check]           the visible check, which students run too
    tags: [hidden-tests, ...]    the instructor's: calls the answer on inputs the page does not
                                 show and hands each result to dlbook.exercises.record

GRADING.md says how to write them; this module holds them to it, naming the chapter and label.
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import jupytext

HIDDEN = "hidden-tests"
# A hidden test runs only when grading: not in the book's build (myst-nb and nbclient skip
# `skip-execution`), not in nbval (`nbval-skip`); `hide-input` folds it on the instructor site.
HIDDEN_TAGS = {HIDDEN, "skip-execution", "nbval-skip", "hide-input"}
DIRECTIVE = re.compile(r"^:::\{exercise\}[ \t]*([^\n]*)\n((?::\w+:[^\n]*\n)*)", re.M)


class ExerciseError(ValueError):
    pass


@dataclass
class Exercise:
    label: str
    title: str
    function: str | None = None  # the name the solution defines: what the grader looks for
    solution: str | None = None
    checks: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    tests: float = 0  # the hidden tests' points
    prose: float = 0  # the points graded by hand


def defined_functions(source: str) -> list[str]:
    return [n.name for n in ast.parse(source).body if isinstance(n, ast.FunctionDef)]


def read(page: Path) -> list[Exercise]:
    """The exercises of `page` in order, each with its cells."""
    exercises: list[Exercise] = []
    for index, cell in enumerate(jupytext.read(page, fmt="md:myst").cells):
        where = f"{page.name}, cell {index}"
        if cell.cell_type == "markdown":
            for title, options in DIRECTIVE.findall(cell.source):
                label = re.search(r"^:label:[ \t]*(\S+)", options, re.M)
                if not label:
                    raise ExerciseError(f"{where}: an exercise without a :label:")
                exercises.append(Exercise(label.group(1), title.strip()))
            continue
        tags = set(cell.metadata.get("tags", []))
        if not tags & {"solution", "self-check", HIDDEN}:
            continue
        if not exercises:
            raise ExerciseError(f"{where}: a {sorted(tags)} cell before any exercise")
        exercise = exercises[-1]
        if "solution" in tags:
            names = defined_functions(cell.source)
            if exercise.solution is not None or len(names) != 1:
                raise ExerciseError(
                    f"{where}: {exercise.label} needs one solution cell defining one function"
                )
            exercise.solution, exercise.function = cell.source, names[0]
        elif "self-check" in tags:
            exercise.checks.append(cell.source)
        else:
            if missing := HIDDEN_TAGS - tags:
                raise ExerciseError(f"{where}: a hidden-tests cell also needs {sorted(missing)}")
            if exercise.function is None:
                raise ExerciseError(f"{where}: hidden tests of {exercise.label}, without answer")
            if "record(" not in cell.source:
                raise ExerciseError(f"{where}: hidden tests of {exercise.label} record nothing")
            exercise.hidden.append(cell.source)
    return exercises


def with_points(page: Path, points: dict) -> list[Exercise]:
    """`page`'s exercises with their points from the course block (settings.grading()):
    a number is the hidden tests' if the exercise has some, else graded by hand."""
    exercises = read(page)
    labels = {exercise.label for exercise in exercises}
    if unknown := sorted(set(points) - labels):
        raise ExerciseError(f"course.grading: {page.stem} has no exercise {unknown[0]!r}")
    for exercise in exercises:
        where = f"course.grading.assignments.{page.stem}.{exercise.label}"
        if exercise.label not in points:
            raise ExerciseError(f"{where}: the exercise has no points")
        given = points[exercise.label]
        if not isinstance(given, dict):
            given = {"tests" if exercise.hidden else "prose": given}
        exercise.tests, exercise.prose = given.get("tests", 0), given.get("prose", 0)
        if exercise.tests and not exercise.hidden:
            raise ExerciseError(f"{where}: points for tests, but {page.name} has no hidden tests")
        if exercise.hidden and not exercise.tests:
            raise ExerciseError(f"{where}: hidden tests without points")
    return exercises
