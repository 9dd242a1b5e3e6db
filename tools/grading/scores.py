"""A graded submission's scores, from its run's result: compared with the expected values,
merged with what TAs graded by hand, recorded in the gradebook, written for the student.

A run's result is kept (autograded/<student>/<assignment>/result.json) with the key of what
made it: the notebook's bytes, the released plan, the grading environment, the limits. The
same key next time reuses it: grading again after the TAs' work runs no kernel.
"""

import hashlib
import json
import shutil
from pathlib import Path

import nbformat

from tools.grading import compare, gradebook, report

NOT_KEPT = ("the grading process", "grader error")  # worth another run


def run_key(course_folder: Path, plan, path: Path, environment: str) -> str:
    digest = hashlib.sha256(path.read_bytes())
    digest.update((course_folder / "autograder" / plan.assignment / "plan.json").read_bytes())
    digest.update(f"{environment} {plan.timeout} {plan.memory_gb}".encode())
    return digest.hexdigest()


def result_file(course_folder: Path, student: str, name: str) -> Path:
    return course_folder / "autograded" / student / name / "result.json"


def cached(course_folder: Path, student: str, name: str, key: str) -> dict | None:
    path = result_file(course_folder, student, name)
    if path.exists():
        kept = json.loads(path.read_text())
        if kept.get("key") == key:
            return kept["result"]
    return None


def keep(course_folder: Path, student: str, name: str, key: str, result: dict) -> None:
    statuses = [result.get("status") or ""]
    statuses += [e["code"]["status"] for e in result["exercises"].values() if "code" in e]
    if not any(status.startswith(NOT_KEPT) for status in statuses):
        path = result_file(course_folder, student, name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"key": key, "result": result}, allow_nan=True))


def not_submitted(student: str, name: str, plan) -> list[dict]:
    return [
        {
            "student": student,
            "assignment": name,
            "exercise": cell,
            "score": 0.0,
            "max_score": points,
            "status": "not submitted",
        }
        for cell, _, points in gradebook.cells(plan)
    ]


def record_all(course_folder: Path, output: Path, loaded, found, results, settings) -> list:
    """Each submission into the gradebook (one writer), its autograded notebook and its
    feedback page; returns the CSV's rows."""
    rows, book = [], gradebook.open_gradebook(course_folder)
    by_hand: dict[str, dict[str, list]] = {}
    try:
        for (student, name, path), result in zip(found, results, strict=True):
            plan, expected = loaded[name]
            parts, _ = scored(plan, expected, result, {}, settings.rtol, settings.atol)
            automatic = {p["exercise"]: p["score"] for p in parts}
            gradebook.record(course_folder, book, student, plan, path, automatic)
            manual = gradebook.manual_scores(book, student, plan)  # a TA's, kept if unchanged
            parts, words = scored(plan, expected, result, manual, settings.rtol, settings.atol)
            notebook = nbformat.read(course_folder / "release" / name / f"{name}.ipynb", 4)
            target = course_folder / "autograded" / student / name / f"{name}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(gradebook.autograded(plan, notebook, result["exercises"], words), target)
            page = output / "feedback" / student / f"{name}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_text(report.feedback_page(student, name, parts))
            for part in parts:
                if part["status"] == "needs manual grading":
                    found = by_hand.setdefault(name, {}).setdefault(part["title"], [])
                    found.append((student, part["text"]))
            rows += [
                {"student": student, "assignment": name}
                | {k: p[k] for k in ("exercise", "score", "max_score", "status")}
                for p in parts
            ]
    finally:
        book.close()
    shutil.rmtree(output / "by-hand", ignore_errors=True)
    for name, answers in by_hand.items():
        page = output / "by-hand" / f"{name}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(report.by_hand_page(name, answers))
    return rows


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
