"""`make grade SUBMISSIONS=DIR`: grade DIR/<student>/<assignment>.ipynb, every notebook in its
own scratch folder, in parallel (a worker per core), against the course folder that
`make assignments` wrote. Writes _build/grades/grades.csv, _build/grades/feedback/<student>/
<assignment>.html, _build/grades/by-hand/<assignment>.html (the written answers a TA grades),
nbgrader's gradebook and autograded notebooks, and prints a summary.

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

from tools.grading import course, kernel, report, scores, submission
from tools.settings import grading as grading_settings

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "_build" / "grades"
STUDENT_ID = re.compile(r"[A-Za-z0-9][\w.@+-]{0,99}")


def _start_worker(threads: int, scratch: str) -> None:
    os.environ["OMP_NUM_THREADS"] = str(threads)  # the kernels' share of the cores
    os.environ["JUPYTER_RUNTIME_DIR"] = scratch  # the kernels' connection files
    tempfile.tempdir = scratch  # each submission's folder, removed with the run's
    os.chdir(scratch)  # no path of the repository in what a kernel's parent shows


def _grade(plan, path, environment, plant: bool) -> dict:
    try:
        return submission.grade(plan, Path(path), environment, plant)
    except Exception as error:  # a bug of ours must not cost the other submissions
        return {"status": f"grader error: {type(error).__name__}: {error}"[:300], "exercises": {}}


def run_all(tasks: list[tuple], environment, workers: int, log=print, plant=False) -> list[dict]:
    """Grade each (plan, path) task; a worker that dies (a submission killed its parent) costs
    only the notebook it was grading: the others run again, one at a time. `plant`: see
    submission.grade."""
    results: dict[int, dict] = {}
    threads = max(1, (os.cpu_count() or 1) // workers)
    spawn = multiprocessing.get_context("spawn")
    rounds = [list(range(len(tasks)))]
    with tempfile.TemporaryDirectory(prefix="dlbook-grading-") as scratch:
        while rounds:
            _round(
                rounds,
                tasks,
                results,
                (environment, plant),
                workers,
                (threads, scratch),
                spawn,
                log,
            )
    return [results[i] for i in range(len(tasks))]


def _round(rounds, tasks, results, arguments, workers, initargs, spawn, log) -> None:
    """One pool over the next batch of `rounds`; the tasks of a broken pool go back, each in
    a batch of its own."""
    batch = rounds.pop(0)
    broken = []
    with ProcessPoolExecutor(
        min(workers, len(batch)),
        mp_context=spawn,
        initializer=_start_worker,
        initargs=initargs,
    ) as pool:
        futures = {pool.submit(_grade, *tasks[i], *arguments): i for i in batch}
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


def grade_folder(
    folder: Path,
    course_folder: Path,
    output: Path,
    workers: int,
    log=print,
    timeout: int | None = None,
    fresh: bool = False,
):
    """Everything `make grade` does; returns the CSV's rows. `timeout`: seconds a cell may
    run, instead of course.grading.timeout; `fresh`: run every notebook again, even one graded
    before unchanged (scores.py keeps its result)."""
    start = time.perf_counter()
    loaded = course.load(course_folder)
    for plan, _ in loaded.values():
        plan.timeout = timeout or plan.timeout
    key = f"env-{kernel.package_key()}"
    if stale := [a for a, (_, e) in loaded.items() if e["environment"] != key]:
        sys.exit(
            f"grade: dlbook or the lock changed since `make assignments` computed the "
            f"expected values of {', '.join(stale)}: run `make assignments` again"
        )
    settings = grading_settings()
    found, students, warnings = submissions(folder, loaded)
    for warning in warnings:
        log(f"grade: {warning}")
    keys = [scores.run_key(course_folder, loaded[a][0], path, key) for _, a, path in found]
    kept = [
        None if fresh else scores.cached(course_folder, s, a, k)
        for (s, a, _), k in zip(found, keys, strict=True)
    ]
    todo = [i for i, result in enumerate(kept) if result is None]
    log(
        f"grade: {len(found)} notebooks of {len(students)} students, {len(todo)} to run "
        f"(the others unchanged since graded), {workers} workers"
    )
    if todo:
        environment = kernel.environment(log=log)
        tasks = [(loaded[found[i][1]][0], str(found[i][2])) for i in todo]
        for i, result in zip(todo, run_all(tasks, environment, workers, log), strict=True):
            kept[i] = result
            scores.keep(course_folder, found[i][0], found[i][1], keys[i], result)
    rows = scores.record_all(course_folder, output, loaded, found, kept, settings)
    graded = sorted({assignment for _, assignment, _ in found})
    done = {(student, name) for student, name, _ in found}
    for student in students:  # no notebook for an assignment graded now
        for name in graded:
            if (student, name) not in done:
                rows += scores.not_submitted(student, name, loaded[name][0])
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
    parser.add_argument("--timeout", type=int, help="seconds a cell may run (course.grading's)")
    parser.add_argument("--fresh", action="store_true", help="run unchanged notebooks again")
    args = parser.parse_args()
    try:
        grade_folder(
            args.submissions.resolve(),
            args.course.resolve(),
            args.output.resolve(),
            args.workers,
            timeout=args.timeout,
            fresh=args.fresh,
        )
    except course.CourseError as error:
        sys.exit(f"grade: {error}")


if __name__ == "__main__":
    main()
