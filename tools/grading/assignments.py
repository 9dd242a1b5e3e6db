"""`make assignments`: the course folder (course.py) from the book, for the chapters that
_config.yml's `course.grading` assigns, with their points.

The releases are the published student notebooks (tools/student/publish.py). The expected
values come from grading each release answered with the instructor's solutions, in the same
harness and environment as the students' notebooks: every self-check must pass and every
hidden test record a value, or this stops naming the exercise.

    .venv/bin/python -m tools.grading.assignments [--output FOLDER] [--workers N]
"""

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

import nbformat

from tools import settings
from tools.grading import compare, course, gradebook, kernel
from tools.grading.exercises import ExerciseError
from tools.grading.grade import run_all
from tools.student.student_edition import EditionError

ROOT = Path(__file__).resolve().parents[2]


def write_notebook(notebook, path: Path) -> Path:
    """`notebook` at `path` as nbformat writes it (make publish writes the same bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.from_dict(notebook)
    notebook.metadata.pop("jupytext", None)  # the source's pairing, not the course's
    nbformat.write(notebook, path)
    return path


def planted_verdict(code: dict, records: list) -> dict:
    """How the planted wrong answer (plant.py) fared: its self-check, and how many of the
    solution's hidden records it agrees with (the course's tolerances)."""
    grading = settings.grading()
    planted = code.get("planted", {"check": "not run", "records": []})
    same, total = compare.hidden_checks(records, planted["records"], grading.rtol, grading.atol)
    return {"check": planted["check"], "agree": same, "total": total}


def problems(plan, result: dict) -> list[str]:
    """What keeps the solutions' run from being the reference."""
    if result["status"]:
        return [f"{plan.assignment}: {result['status']}"]
    found = []
    for exercise in plan.exercises:
        if not exercise["tests"]:
            continue
        where = f"{plan.assignment}, {exercise['label']}"
        code = result["exercises"][exercise["label"]]["code"]
        if code["status"] != "ran":
            found.append(f"{where}: the solution {code['status']}")
        elif code.get("errors") or code.get("check") != "passed":
            found.append(f"{where}: the self-check {code.get('check')} {code.get('details')}")
        elif code.get("hidden_error") or not code.get("records"):
            why = code.get("details") or "recorded nothing"
            found.append(f"{where}: the hidden tests {why}")
    return found


def make(folder: Path, workers: int, root: Path = ROOT, log=print) -> dict:
    """Write the course folder; returns {assignment: expected values}."""
    start = time.perf_counter()
    try:
        grading = settings.grading(root)
        made = course.plans(root, grading)
    except (settings.SettingsError, ExerciseError, course.CourseError, EditionError) as error:
        sys.exit(f"assignments: {error}")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder / "autograder", ignore_errors=True)  # only what is assigned now
    tasks = []
    for name, (plan, notebook, source) in made.items():
        for kind, content in (("source", source), ("release", notebook)):
            write_notebook(content, folder / kind / name / f"{name}.ipynb")
        autograder = folder / "autograder" / name
        autograder.mkdir(parents=True)
        course.save_plan(plan, autograder)
        nbformat.write(course.solved(plan, notebook, source), autograder / "solved.ipynb")
        tasks.append((plan, str(autograder / "solved.ipynb")))
    gradebook.write_course(folder, {name: plan for name, (plan, _, _) in made.items()})
    environment = kernel.environment(root, log)
    log(f"assignments: grading the solutions of {len(tasks)} chapters for the expected values")
    results = run_all(tasks, environment, workers, log, plant=True)
    found = [
        p for (plan, _), result in zip(tasks, results, strict=True) for p in problems(plan, result)
    ]
    if found:
        sys.exit(
            "assignments: the solutions do not pass their own checks:\n  " + "\n  ".join(found)
        )
    expected = {}
    for (plan, _), result in zip(tasks, results, strict=True):
        records = {
            label: outcome["code"]["records"]
            for label, outcome in result["exercises"].items()
            if "code" in outcome
        }
        planted = {
            label: planted_verdict(result["exercises"][label]["code"], records[label])
            for label in records
        }
        for label, verdict in planted.items():
            where = f"{plan.assignment}, {label}"
            if verdict["check"] == "passed" and verdict["agree"] == verdict["total"]:
                found.append(f"{where}: the hidden tests let pass an answer that is right only "
                             "on the self-check's inputs (plant.py)")  # fmt: skip
            elif verdict["check"] != "passed":
                log(f"assignments: {where}: the planted answer fails the self-check "
                    f"({verdict['check']}), so the hidden tests are not checked")  # fmt: skip
        expected[plan.assignment] = {
            "environment": environment.folder.name,
            "records": records,
            "planted": planted,
        }
    if found:
        sys.exit("assignments: " + "\n  ".join(found))
    for name, values in expected.items():
        path = folder / "autograder" / name / "expected.json"
        path.write_text(json.dumps(values, indent=1, allow_nan=True))
    parts = [e for plan, _ in tasks for e in plan.exercises]
    log(
        f"assignments: {len(tasks)} assignments, {sum(bool(e['tests']) for e in parts)} "
        f"exercises with hidden tests, {sum(bool(e['prose']) for e in parts)} graded by hand, "
        f"in {folder} ({time.perf_counter() - start:.0f} s)"
    )
    return expected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=course.FOLDER)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    make(args.output.resolve(), args.workers)


if __name__ == "__main__":
    main()
