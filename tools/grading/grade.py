"""`make grade SUBMISSIONS=DIR`: grade DIR/<student>/<assignment>.ipynb, every notebook in its
own scratch folder, in parallel (a worker per core), against the course folder that
`make assignments` wrote. Writes _build/grades/grades.csv, _build/grades/feedback/<student>/
<assignment>.html, nbgrader's gradebook and autograded notebooks, and prints a summary.

    .venv/bin/python -m tools.grading.grade DIR [--workers N] [--course FOLDER] [--output FOLDER]
"""

import argparse
import multiprocessing
import os
import re
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import nbformat

from tools.grading import compare, course, gradebook, kernel, report, submission
from tools.settings import grading as grading_settings

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "_build" / "grades"
STUDENT_ID = re.compile(r"[A-Za-z0-9][\w.@+-]{0,99}")


def _start_worker(threads: int) -> None:
    os.environ["OMP_NUM_THREADS"] = str(threads)  # the kernels' share of the cores
    os.chdir(tempfile.gettempdir())  # no path of the repository in what a kernel's parent shows


def _grade(plan, path, environment) -> dict:
    try:
        return submission.grade(plan, Path(path), environment)
    except Exception as error:  # a bug of ours must not cost the other submissions
        return {"status": f"grader error: {type(error).__name__}: {error}"[:300], "exercises": {}}


def run_all(tasks: list[tuple], environment, workers: int, log=print) -> list[dict]:
    """Grade each (plan, path) task; a worker that dies (a submission killed its parent) costs
    only the notebook it was grading: the others run again, one at a time."""
    results: dict[int, dict] = {}
    threads = max(1, (os.cpu_count() or 1) // workers)
    spawn = multiprocessing.get_context("spawn")
    rounds = [list(range(len(tasks)))]
    while rounds:
        batch = rounds.pop(0)
        broken = []
        with ProcessPoolExecutor(
            min(workers, len(batch)),
            mp_context=spawn,
            initializer=_start_worker,
            initargs=(threads,),
        ) as pool:
            futures = {pool.submit(_grade, *tasks[i], environment): i for i in batch}
            for future in as_completed(futures):
                index = futures[future]
                try:
                    results[index] = future.result()
                except BrokenProcessPool:
                    broken.append(index)
                    continue
                plan, path = tasks[index]
                seconds = results[index].get("seconds", 0)
                log(
                    f"grade: {len(results)}/{len(tasks)} {Path(path).parent.name}/"
                    f"{Path(path).name} ({seconds:.1f} s)"
                )
        if broken and len(batch) == 1:
            results[batch[0]] = {"status": "the grading process was killed", "exercises": {}}
        else:
            rounds += [[index] for index in sorted(broken)]
    return [results[i] for i in range(len(tasks))]


def scored(plan, expected: dict, result: dict, manual: dict, rtol: float, atol: float):
    """Each graded part of one submission: {"exercise", "title", "score", "max_score",
    "status", "lines", "text"}, and the hidden tests' verdict in words per code exercise."""
    parts, words = [], {}
    unread = [
        f"The grader could not grade this notebook: {result['status']} "
        f"({result.get('detail', '')}). Each of its exercises scores 0 until you send "
        f"{plan.assignment}.ipynb as Jupyter, Colab or VS Code saves it."
    ]
    for exercise in plan.exercises:
        label, title = exercise["label"], exercise["title"] or exercise["label"]
        outcome = result["exercises"].get(label, {})
        if exercise["tests"]:
            code = outcome.get("code", {"status": result["status"]})
            if result["status"]:
                score, status, same, total = 0.0, result["status"], 0, 0
            else:
                score, status, same, total = compare.code_score(
                    code, expected["records"].get(label, []), exercise["tests"], rtol, atol
                )
            lines = report.code_lines(code, status, same, total, plan.timeout)
            lines = unread if result["status"] else lines
            words[label] = f"{status} ({same} of {total} agree)" if total else status
            parts.append(
                {
                    "exercise": label,
                    "title": title,
                    "score": score,
                    "lines": lines,
                    "max_score": float(exercise["tests"]),
                    "status": status,
                    "text": "",
                }
            )
        if exercise["prose"]:
            name = f"{label}-prose" if exercise["tests"] else label
            prose = outcome.get("prose", {"status": result["status"], "text": ""})
            found = prose["status"]
            if found == "found":
                score, status = manual.get(name), "needs manual grading"
                if score is not None:
                    status = "graded by hand"
            else:
                score, status = 0.0, found
            suffix = " (in words)" if exercise["tests"] else ""
            parts.append(
                {
                    "exercise": name,
                    "title": title + suffix,
                    "score": score,
                    "max_score": float(exercise["prose"]),
                    "status": status,
                    "lines": unread if result["status"] else report.prose_lines(status, score),
                    "text": prose["text"],
                }
            )
    return parts, words


def submissions(folder: Path, assignments) -> tuple[list, list[str], list[str]]:
    """(student, assignment, path) for each notebook in `folder`, the students, and warnings
    about what is not graded (unknown files, names that are no student id)."""
    found, students, warnings = [], [], []
    if not folder.is_dir():
        sys.exit(f"grade: SUBMISSIONS={folder} is not a folder of student folders")
    for student in sorted(folder.iterdir()):
        if not student.is_dir():
            warnings.append(f"{student.name}: not a student's folder, ignored")
            continue
        if not STUDENT_ID.fullmatch(student.name):
            warnings.append(f"{student.name!r}: not a student id (letters, digits, ._@+-), ignored")
            continue
        students.append(student.name)
        for path in sorted(student.iterdir()):
            if path.suffix == ".ipynb" and path.stem in assignments:
                found.append((student.name, path.stem, path))
            else:
                warnings.append(f"{student.name}/{path.name}: no assignment has this name, ignored")
    return found, students, warnings


def grade_folder(folder: Path, course_folder: Path, output: Path, workers: int, log=print):
    """Everything `make grade` does; returns the CSV's rows."""
    start = time.perf_counter()
    loaded = course.load(course_folder)
    environment = kernel.environment()
    stale = [a for a, (_, e) in loaded.items() if e["environment"] != environment.folder.name]
    if stale:
        sys.exit(
            f"grade: dlbook or the lock changed since `make assignments` computed the "
            f"expected values of {', '.join(stale)}: run `make assignments` again"
        )
    settings = grading_settings()
    found, students, warnings = submissions(folder, loaded)
    for warning in warnings:
        log(f"grade: {warning}")
    graded = sorted({assignment for _, assignment, _ in found})
    tasks = [(loaded[a][0], str(path)) for _, a, path in found]
    log(f"grade: {len(tasks)} notebooks of {len(students)} students, {workers} workers")
    results = run_all(tasks, environment, workers, log)
    rows, book = [], gradebook.open_gradebook(course_folder)
    try:
        done = set()
        for (student, name, path), result in zip(found, results, strict=True):
            plan, expected = loaded[name]
            manual = {}
            parts, words = scored(plan, expected, result, manual, settings.rtol, settings.atol)
            scores = {p["exercise"]: p["score"] for p in parts}
            gradebook.record(course_folder, book, student, plan, path, scores)
            manual = gradebook.manual_scores(book, student, plan)  # a TA's, kept if unchanged
            parts, words = scored(plan, expected, result, manual, settings.rtol, settings.atol)
            notebook = nbformat.read(course_folder / "release" / name / f"{name}.ipynb", 4)
            target = course_folder / "autograded" / student / name / f"{name}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(gradebook.autograded(plan, notebook, result["exercises"], words), target)
            page = output / "feedback" / student / f"{name}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(report.feedback_page(student, name, parts))
            rows += [
                {"student": student, "assignment": name}
                | {k: p[k] for k in ("exercise", "score", "max_score", "status")}
                for p in parts
            ]
            done.add((student, name))
        for student in students:  # a student without a notebook for an assignment graded now
            for name in graded:
                if (student, name) not in done:
                    rows += [
                        {
                            "student": student,
                            "assignment": name,
                            "exercise": cell,
                            "score": 0.0,
                            "max_score": points,
                            "status": "not submitted",
                        }
                        for cell, _, points in gradebook.cells(loaded[name][0])
                    ]
    finally:
        book.close()
    output.mkdir(parents=True, exist_ok=True)
    partial = output / "grades.csv.partial"
    partial.write_text(report.csv_text(rows))
    partial.replace(output / "grades.csv")
    log(report.summary(rows) if rows else "grade: nothing graded")
    log(
        f"grade: wrote {output / 'grades.csv'} and {output / 'feedback'} "
        f"({time.perf_counter() - start:.0f} s)"
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path, help="a folder per student id")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--course", type=Path, default=course.FOLDER)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    try:
        grade_folder(
            args.submissions.resolve(), args.course.resolve(), args.output.resolve(), args.workers
        )
    except course.CourseError as error:
        sys.exit(f"grade: {error}")


if __name__ == "__main__":
    main()
