"""Grading speed: seconds per submitted notebook for each chapter, and the time for a class.

Makes a course folder (as `make assignments`: its time printed too), then grades, with a
worker per core: a few notebooks per chapter (half the solutions, half wrong answers), then
`--students` students' notebooks of chapters 1-3. Prints each chapter's mean seconds per
notebook (a worker's time on it: kernel start, context, answer, checks), the class's wall time
and its ratio to the goal: 100 students x chapters 1-3 in <= 10 minutes on 2 cores.

    python -m bench.grade [--students 100] [--per-chapter 4] [--workers N]
"""

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from tools.grading import assignments, course, grade

GOAL_SECONDS = 600  # 100 students x chapters 1-3, 2 cores


def class_folder(folder: Path, loaded: dict, names: list[str], students: int, root: Path):
    """`students` students, each with the solved notebook of every chapter in `names`, every
    other one with its code answers wrong (they return None)."""
    for index in range(students):
        for name in names:
            plan = loaded[name][0]
            notebook = json.loads((folder / "autograder" / name / "solved.ipynb").read_text())
            functions = {e["label"]: e["function"] for e in plan.exercises if e["tests"]}
            for cell in notebook["cells"] if index % 2 else []:
                role = cell["metadata"].get("dlbook", {})
                if role.get("role") == "answer" and role["exercise"] in functions:
                    name_ = functions[role["exercise"]]
                    cell["source"] += f"\n\n\ndef {name_}(*args, **kwargs):\n    return None\n"
            path = root / f"student{index:03d}" / f"{name}.ipynb"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(notebook))
            assert plan.assignment == name
    return root


def timed(submissions: Path, folder: Path, output: Path, workers: int) -> tuple[float, list]:
    start = time.perf_counter()
    results = []
    grade.grade_folder(submissions, folder, output, workers, log=results.append)
    return time.perf_counter() - start, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--per-chapter", type=int, default=4)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        folder = base / "assignments"
        start = time.perf_counter()
        assignments.make(folder, args.workers, log=lambda line: None)
        print(
            f"make assignments (6 chapters' solutions graded): {time.perf_counter() - start:.0f} s"
        )
        loaded = course.load(folder)
        for name in loaded:
            submissions = class_folder(folder, loaded, [name], args.per_chapter, base / name)
            seconds, log = timed(submissions, folder, base / f"grades-{name}", args.workers)
            each = [
                float(line.rsplit("(", 1)[1].split(" s)")[0])
                for line in log
                if line.startswith("grade: ") and line.endswith(" s)")
            ]
            print(
                f"{name}: {sum(each) / len(each):.1f} s per notebook (a worker's), "
                f"{args.per_chapter} notebooks in {seconds:.0f} s"
            )
        first = list(loaded)[:3]
        submissions = class_folder(folder, loaded, first, args.students, base / "class")
        seconds, _ = timed(submissions, folder, base / "grades-class", args.workers)
        notebooks = args.students * len(first)
        print(
            f"{args.students} students x {', '.join(first)}: {notebooks} notebooks in "
            f"{seconds:.0f} s with {args.workers} workers ({seconds / notebooks:.2f} s each); "
            f"scaled to 100 students: {seconds * 100 / args.students:.0f} s, "
            f"{seconds * 100 / args.students / GOAL_SECONDS:.2f} of the 600-s goal"
        )


if __name__ == "__main__":
    main()
