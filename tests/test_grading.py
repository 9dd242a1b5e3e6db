"""make assignments and make grade, end to end (GRADING.md): one course folder built from the
book, one grading run over a class of planted submissions (a worker per core), read back
from grades.csv, the feedback pages and nbgrader's gradebook. Chapters 4-6 are graded for
full marks and for a wrong answer; every other case uses the cheap chapters 1-3."""

import csv
import json
import os
import re
import subprocess
import sys

import nbformat
import pytest

import environment_marker
import grading_cases as cases
from helpers import ROOT, unwatched_environment

# kernels that import the model stack; the releases keep the built book's outputs. No answer
# here depends on the environment the tests run in, so the fast rehearsal leaves this file to
# make test's pytest, as it leaves the published notebooks: the kernels' environments are built
# from nothing (kernel.base_env), the grading venv is made without the book's settings, the
# server and commands the tests start get none of them, and the grading venv's place is
# pinned. (The grader's spawned workers and nbgrader's `alembic` inherit the environment, and
# no check can watch them: `graded` plants settings of the rehearsal's kind in it, and the snoop
# test proves that none reaches a kernel.)
pytestmark = [pytest.mark.slow, pytest.mark.book]
# What `graded` plants in the grader's environment: the rehearsal sets such names.
PLANTED = {"HF_TOKEN": "hf_planted", "HF_HOME": "/planted/hf",
           "DLBOOK_REHEARSAL_ARCHIVE": "http://127.0.0.1:9/coco_humans.zip 1 planted"}  # fmt: skip


@environment_marker.exempt  # where the grading venv is kept changes no grade
def inherited_grading_home() -> str:
    from tools.grading import kernel

    return str(kernel.home())


@pytest.fixture(scope="module", autouse=True)
def grading_home() -> str:
    """Where DLBOOK_GRADING_HOME points now (the venv takes a minute to make): `course`,
    `graded` and every test set it to that, so that what they read is what they set, not what
    the environment says."""
    from nbgrader import api

    # nbgrader asks the `alembic` command its schema's version, a fact of the installed
    # nbgrader that no setting changes
    environment_marker.exempt(api.get_alembic_version)
    return inherited_grading_home()


@pytest.fixture(autouse=True)
def _each_test_sets_the_grading_home(grading_home, monkeypatch):
    monkeypatch.setenv("DLBOOK_GRADING_HOME", grading_home)


# make test runs a pytest worker per core: this file's share, but two grading workers at least,
# so that the grader's parallel path runs
def workers() -> int:
    """Read when a test runs, not on import (tests/test_environment.py)."""
    shares = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    return max(2, (os.cpu_count() or 1) // shares)


KERNEL_ENVIRONMENT = {
    "PATH", "HOME", "TMPDIR", "LANG", "MPLBACKEND", "MPLCONFIGDIR", "DLBOOK_DATA", "TQDM_DISABLE",
    "OMP_NUM_THREADS", "DLBOOK_RECORD", "JPY_PARENT_PID", "JPY_SESSION_NAME", "CLICOLOR",
    "PYDEVD_USE_FRAME_EVAL", "FORCE_COLOR", "CLICOLOR_FORCE", "TERM", "PAGER", "GIT_PAGER",
}  # fmt: skip


@pytest.fixture(scope="module")
def course(tmp_path_factory, html_dir, grading_home):
    from tools.grading import assignments, course

    folder = tmp_path_factory.mktemp("course") / "assignments"
    with pytest.MonkeyPatch.context() as patch:  # set where it is read, whichever test runs first
        patch.setenv("DLBOOK_GRADING_HOME", grading_home)
        assignments.make(folder, workers(), log=lambda line: None)
    return folder, course.load(folder)


def release(folder, name) -> dict:
    return cases.read(folder / "release" / name / f"{name}.ipynb")


def solved(folder, name) -> dict:
    return cases.read(folder / "autograder" / name / "solved.ipynb")


def code_exercises(loaded):
    return [(name, e) for name, (plan, _) in loaded.items() for e in plan.exercises if e["tests"]]


def changed(loaded, name) -> dict:
    """The chapter's last code exercise: the one class_of's cases damage or tamper with."""
    return [e for chapter, e in code_exercises(loaded) if chapter == name][-1]


def class_of(folder, loaded, root):
    """The submissions folder: one student per case (the module's tests say what each must
    score)."""
    notebooks = {}
    for name in loaded:
        notebooks[f"instructor/{name}"] = solved(folder, name)
    first, second, third = list(loaded)[:3]
    for name, exercise in code_exercises(loaded):  # a wrong answer per code exercise of 1-3
        if name in (first, second, third):
            answer = cases.cheat(exercise["solution"], exercise["function"])
            notebooks[f"cheat-{exercise['label']}/{name}"] = cases.set_answer(
                solved(folder, name), exercise["label"], answer
            )
    ex1, ex2, ex3 = (changed(loaded, name) for name in (first, second, third))
    wrong1 = cases.wrong(ex1["solution"], ex1["function"])
    notebooks |= {
        f"untouched/{first}": release(folder, first),
        f"untouched/{second}": release(folder, second),
        f"editors/{first}": cases.to_markdown(solved(folder, first), ex1["label"]),
        f"editors/{second}": cases.strip_metadata(
            cases.split_answer(solved(folder, second), ex2["label"])
        ),
        f"editors/{third}": cases.rearranged(solved(folder, third), ex3["label"], ex3["function"]),
        f"weakened/{first}": cases.weakened(solved(folder, first), ex1["label"], wrong1),
        f"wrongchapter/{first}": release(folder, second),
        f"empty/{first}": json.loads(
            '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
        ),
        f"missing/{first}": release(folder, first),  # no kernel: nothing to run
    }
    notfound = solved(folder, first)
    del notfound["cells"][cases.answer_index(notfound, ex1["label"])]
    notebooks[f"notfound/{first}"] = notfound
    names = re.findall(
        r"\b([a-z_]\w*)\(",
        "\n".join(
            loaded[first][0].release[i][1]
            for i, r in enumerate(loaded[first][0].roles)
            if r.get("role") == "check"
        ),
    )
    patched = [n for n in names if n not in ("self_check", ex1["function"])]
    notebooks[f"tamper/{first}"] = cases.set_answer(
        solved(folder, first), ex1["label"], cases.tampered(wrong1, patched)
    )
    needles = cases.secrets([plan for plan, _ in loaded.values()])
    notebooks[f"snoop/{second}"] = cases.set_answer(
        solved(folder, second), ex2["label"], cases.snoop(ex2["solution"], needles)
    )
    for key, notebook in notebooks.items():
        path = root / f"{key}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(notebook))
    (root / "bad" / f"{first}.ipynb").parent.mkdir()
    (root / "bad" / f"{first}.ipynb").write_bytes(b"\x89PNG\r\n\x1a\n not a notebook")
    (root / "bad" / f"{second}.ipynb").write_text(json.dumps(solved(folder, second))[:5000])
    (root / "bad" / "notes.txt").write_text("not a notebook name")
    return root


@pytest.fixture(scope="module")
def graded(course, tmp_path_factory, grading_home):
    from tools.grading import grade

    folder, loaded = course
    base = tmp_path_factory.mktemp("grading")
    submissions = class_of(folder, loaded, base / "submissions")
    log = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DLBOOK_GRADING_HOME", grading_home)
        for name, value in PLANTED.items():
            patch.setenv(name, value)
        grade.grade_folder(submissions, folder, base / "grades", workers(), log=log.append)
    with open(base / "grades" / "grades.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    table = {(r["student"], r["assignment"], r["exercise"]): r for r in rows}
    return {
        "rows": rows,
        "table": table,
        "base": base,
        "folder": folder,
        "loaded": loaded,
        "log": log,
        "submissions": submissions,
    }


def rows_of(graded, student, assignment=None):
    """The student's rows (of `assignment`), but the "not submitted" of assignments the
    student has no notebook for."""
    return [
        r
        for r in graded["rows"]
        if r["student"] == student
        and (assignment is None or r["assignment"] == assignment)
        and r["status"] != "not submitted"
    ]


def feedback(graded, student, assignment) -> str:
    return (graded["base"] / "grades" / "feedback" / student / f"{assignment}.html").read_text()


def test_the_instructor_notebooks_score_full_marks(graded):
    rows = rows_of(graded, "instructor")
    assert {r["assignment"] for r in rows} == set(graded["loaded"])  # chapters 1-6
    for row in rows:
        if row["status"] == "needs manual grading":
            assert row["score"] == "", row
        else:
            assert (row["status"], row["score"]) == ("correct", row["max_score"]), row


def test_untouched_releases_score_zero_without_a_crash(graded):
    rows = rows_of(graded, "untouched")
    assert len({r["assignment"] for r in rows}) == 2
    assert all((r["score"], r["status"]) == ("0", "not answered") for r in rows), rows


def test_the_hidden_tests_catch_an_answer_right_only_on_the_self_checks_inputs(course):
    """make assignments plants, beside every solution of chapters 1-6, an answer that is
    right on the self-check's inputs and wrong on any other (plant.py): it passes the
    self-check, and the hidden tests disagree with it."""
    _, loaded = course
    for name, exercise in code_exercises(loaded):
        verdict = loaded[name][1]["planted"][exercise["label"]]
        assert verdict["check"] == "passed", (name, verdict)
        assert verdict["agree"] < verdict["total"], (name, verdict)


def test_each_wrong_answer_loses_exactly_its_points(graded):
    """Submitted, such an answer (chapters 1-3) passes the visible check and loses that
    exercise's points, no other."""
    for name, exercise in code_exercises(graded["loaded"]):
        if not any(r["student"] == f"cheat-{exercise['label']}" for r in graded["rows"]):
            continue
        student = f"cheat-{exercise['label']}"
        for row in rows_of(graded, student, name):
            instructor = graded["table"][("instructor", name, row["exercise"])]
            if row["exercise"] == exercise["label"]:
                assert row["score"] == "0" and row["status"].startswith("incorrect: "), row
            else:
                assert (row["score"], row["status"]) == (
                    instructor["score"],
                    instructor["status"],
                ), row
        assert "Your answer passed the self-check" in feedback(graded, student, name)


def test_what_editors_do_to_a_notebook_changes_no_grade(graded):
    """Metadata dropped (Colab, VS Code), cells added, deleted, moved, an answer re-typed as
    markdown or split in two."""
    rows = rows_of(graded, "editors")
    assert len({r["assignment"] for r in rows}) == 3
    for row in rows:
        instructor = graded["table"][("instructor", row["assignment"], row["exercise"])]
        assert (row["score"], row["status"]) == (instructor["score"], instructor["status"]), row


def test_an_answer_not_found_scores_zero_and_the_rest_is_graded(graded):
    name = list(graded["loaded"])[0]
    rows = {r["exercise"]: r for r in rows_of(graded, "notfound")}
    missing = rows.pop(changed(graded["loaded"], name)["label"])
    assert (missing["score"], missing["status"]) == ("0", "answer cell not found")
    for label, row in rows.items():
        instructor = graded["table"][("instructor", name, label)]
        assert (row["score"], row["status"]) == (instructor["score"], instructor["status"]), row


def test_bad_files_get_a_status_and_the_others_are_graded(graded):
    first, second = list(graded["loaded"])[:2]
    statuses = {
        ("bad", first): "not a notebook",
        ("bad", second): "broken JSON",
        ("empty", first): "empty notebook",
        ("wrongchapter", first): "another chapter's notebook",
    }
    for (student, name), status in statuses.items():
        rows = rows_of(graded, student, name)
        assert rows and all((r["score"], r["status"]) == ("0", status) for r in rows), rows
    assert any("bad/notes.txt" in line and "ignored" in line for line in graded["log"])
    assert "it holds " + second in feedback(graded, "wrongchapter", first)


def test_tests_come_from_the_release_not_the_submission(graded):
    """A self-check edited to pass anything, a planted test cell: the release's check still
    fails the wrong answer, and it scores 0."""
    name = list(graded["loaded"])[0]
    code = [r for r in rows_of(graded, "weakened", name) if r["max_score"] and r["score"] != ""]
    assert any(r["status"].startswith("incorrect") and r["score"] == "0" for r in code)
    assert "The self-check under the exercise failed" in feedback(graded, "weakened", name)


def test_tampering_with_the_checks_gains_nothing(graded):
    """torch.allclose, self_check and record redefined, the self-check's reference patched,
    records written by hand: the visible check says passed, the hidden tests give 0, and no
    exercise scores more than the instructor's answers do."""
    name = list(graded["loaded"])[0]
    rows = {r["exercise"]: r for r in rows_of(graded, "tamper", name)}
    tampered = rows[changed(graded["loaded"], name)["label"]]
    # its own hidden tests either disagree or fail on a helper the answer replaced
    failed = ("incorrect", "error in the hidden tests")
    assert tampered["score"] == "0" and tampered["status"].startswith(failed), tampered
    for label, row in rows.items():
        instructor = graded["table"][("instructor", name, label)]
        assert float(row["score"] or 0) <= float(instructor["score"] or 0), row
    assert "Your answer passed the self-check" in feedback(graded, "tamper", name)


def test_nothing_secret_is_within_a_submissions_reach(graded):
    """An answer that searches its folder, home, temporary files, environment and dlbook's
    installed tree finds no hidden test, solution or expected value, and no path into the
    repository; its right answer still scores."""
    name = list(graded["loaded"])[1]
    autograded = graded["folder"] / "autograded" / "snoop" / name / f"{name}.ipynb"
    cells = nbformat.read(autograded, as_version=4).cells
    printed = "".join(o.get("text", "") for c in cells for o in c.get("outputs", []))
    report = json.loads(printed.split("SNOOP ", 1)[1].splitlines()[0])
    assert report["files"] > 10, "the search reached the data and matplotlib's caches"
    assert report["found"] == []
    assert not [p for p in report["paths"] if str(ROOT) in p]
    # the kernel's environment: what kernel.py sets, ipykernel's own, nothing inherited
    assert set(report["environment"]) <= KERNEL_ENVIRONMENT | offline_names()
    assert not set(PLANTED) & set(report["environment"])  # set in the grader's environment
    assert all(r["status"] in ("correct", "needs manual grading") for r in rows_of(graded, "snoop"))


def offline_names():
    from tools import settings

    return set(settings.offline())


def test_students_without_a_notebook_get_not_submitted_rows(graded):
    rows = [r for r in graded["rows"] if r["student"] == "missing"]
    others = {r["assignment"] for r in rows if r["status"] == "not submitted"}
    assert others == set(graded["loaded"]) - {list(graded["loaded"])[0]}
    assert all(r["score"] == "0" for r in rows if r["status"] == "not submitted")


def test_the_gradebook_holds_what_the_csv_says(graded):
    """nbgrader's gradebook (one writer, the main process) and its own export agree."""
    from tools.grading import gradebook

    book = gradebook.open_gradebook(graded["folder"])
    try:
        for row in graded["rows"]:
            if row["status"] == "not submitted":
                continue
            name = row["assignment"]
            grade = book.find_grade(row["exercise"], name, name, row["student"])
            assert grade.max_score == float(row["max_score"])
            if row["score"] == "":
                assert grade.needs_manual_grade, row
            else:
                assert grade.score == float(row["score"]) and not grade.needs_manual_grade, row
    finally:
        book.close()
    out = graded["base"] / "nbgrader-export.csv"
    bin_ = os.path.dirname(sys.executable)
    subprocess.run(
        [os.path.join(bin_, "nbgrader"), "export", "--to", str(out)],
        cwd=graded["folder"],
        check=True,
        capture_output=True,
        env=unwatched_environment(PATH=bin_ + os.pathsep + os.environ["PATH"]),
    )
    with open(out, newline="") as file:
        exported = {
            (r["student_id"], r["assignment"]): float(r["raw_score"]) for r in csv.DictReader(file)
        }
    totals = {}
    for row in graded["rows"]:
        if row["status"] != "not submitted":
            key = (row["student"], row["assignment"])
            totals[key] = totals.get(key, 0.0) + float(row["score"] or 0)
    assert {k: v for k, v in exported.items() if k in totals} == totals


def test_feedback_says_each_checks_result_in_words(graded):
    from bs4 import BeautifulSoup

    name = list(graded["loaded"])[0]
    page = BeautifulSoup(feedback(graded, "instructor", name), "html.parser")
    assert page.html["lang"] == "en" and page.title.string and page.h1
    assert page.find("table").caption and all(th.get("scope") for th in page.find_all("th"))
    text = page.get_text()
    assert "all " in text and "agree with the solution" in text and "by hand" in text
    assert "every exercise" not in text.lower()
    by_hand = graded["base"] / "grades" / "by-hand" / f"{name}.html"
    page = BeautifulSoup(by_hand.read_text(), "html.parser")
    assert page.html["lang"] == "en" and "instructor" in [h.string for h in page.find_all("h3")]


def test_grading_again_gives_the_same_csv_and_a_new_submission_replaces_the_old(course, tmp_path):
    """The same folder twice: the same CSV, and no notebook runs again. Then a TA grades a
    written answer and a student sends a new notebook: only the new one runs, the other keeps
    the TA's points."""
    from tools.grading import grade, gradebook

    folder, loaded = course
    name = list(loaded)[0]
    prose = next(e["label"] for e in loaded[name][0].exercises if e["prose"] and not e["tests"])
    submissions = tmp_path / "submissions"
    for student, notebook in (("again", solved(folder, name)), ("resent", release(folder, name))):
        (submissions / student).mkdir(parents=True)
        (submissions / student / f"{name}.ipynb").write_text(json.dumps(notebook))
    runs, logs = [], []
    for _ in range(2):
        logs.append([])
        grade.grade_folder(submissions, folder, tmp_path / "grades", workers(), log=logs[-1].append)
        runs.append((tmp_path / "grades" / "grades.csv").read_bytes())
    assert runs[0] == runs[1]
    assert any("2 notebooks of 2 students, 0 to run" in line for line in logs[1]), logs[1]
    book = gradebook.open_gradebook(folder)
    book.find_grade(prose, name, name, "again").manual_score = 2.0
    book.db.commit()
    book.close()
    (submissions / "resent" / f"{name}.ipynb").write_text(json.dumps(solved(folder, name)))
    logs.append([])
    rows = grade.grade_folder(submissions, folder, tmp_path / "grades", workers(),
                              log=logs[-1].append)  # fmt: skip
    assert any(", 1 to run" in line for line in logs[-1]), logs[-1]
    table = {(r["student"], r["exercise"]): r for r in rows}
    assert table["again", prose]["score"] == 2.0
    assert table["again", prose]["status"] == "graded by hand"
    assert all(r["status"] != "not answered" for r in rows if r["student"] == "resent")
    assert (folder / "submitted" / "resent" / name / f"{name}.ipynb").read_text() == json.dumps(
        solved(folder, name)
    )


def synthetic(path, answers: dict[str, str], call="()", hidden_call="()"):
    """An assignment of nothing but functions, each with a self-check calling it `call` and
    a hidden test recording it called `hidden_call`, and a submission at `path` answering
    them with `answers`: (plan, path)."""
    from tools.grading import submission

    release, roles, exercises = [("markdown", "# A synthetic assignment")], [{}], []
    for name in answers:
        stub = f"def {name}(*args):\n    raise NotImplementedError\n"
        check = f"from dlbook.exercises import self_check\n\nwith self_check():\n    {name}{call}\n"
        release += [("code", stub), ("code", check)]
        roles += [{"exercise": name, "role": "answer"}, {"exercise": name, "role": "check"}]
        hidden = f"from dlbook.exercises import record\n\nrecord({name}{hidden_call})\n"
        exercises.append({"label": name, "title": name, "function": name, "solution": stub,
                          "checks": [], "hidden": [hidden], "tests": 1, "prose": 0})  # fmt: skip
    plan = submission.Plan("synthetic", release, roles, exercises, timeout=5, memory_gb=1)
    cells = [{"cell_type": kind, "metadata": {}, "source": text} for kind, text in release]
    for index, name in enumerate(answers):
        cells[1 + 2 * index]["source"] = answers[name]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook))
    return plan, path


def test_an_answer_that_hangs_or_kills_its_kernel_costs_only_its_exercise(tmp_path):
    """f never returns, g kills its kernel, m takes more memory than allowed, h is right.
    Each of the others still runs, in a fresh kernel where the last one stopped."""
    from tools.grading import kernel, submission

    answers = {
        "f": "def f():\n    while True:\n        pass\n",
        "g": "def g():\n    import os\n\n    os._exit(1)\n",
        "m": "def m():\n    return len(bytearray(8 * 2**30))\n",
        "h": "def h():\n    return 1\n",
    }
    plan, path = synthetic(tmp_path / "synthetic.ipynb", answers)
    result = submission.grade(plan, path, kernel.environment())
    code = {name: result["exercises"][name]["code"] for name in answers}
    assert code["f"]["status"] == "timed out after 5 s"
    assert code["g"]["status"].startswith("the kernel died")
    assert code["m"]["status"] == "ran" and code["m"]["hidden_error"] == "MemoryError"
    assert code["h"]["status"] == "ran" and code["h"]["records"] == [1]
    assert code["h"]["check"] == "passed"


def test_an_answer_that_kills_the_grader_costs_only_its_notebook(tmp_path):
    """An answer that kills the worker grading it (its kernel's parent): the other notebooks
    of that pool are graded again, one by one, and this one is named."""
    from tools.grading import grade, kernel

    killer = "def k():\n    import os, signal\n\n    os.kill(os.getppid(), signal.SIGKILL)\n"
    tasks = [synthetic(tmp_path / "killer.ipynb", {"k": killer}),
             synthetic(tmp_path / "fine.ipynb", {"k": "def k():\n    return 2\n"})]  # fmt: skip
    results = grade.run_all(tasks, kernel.environment(), 2, log=lambda _: None)
    assert results[0]["status"] == "the grading process was killed"
    assert results[1]["exercises"]["k"]["code"]["records"] == [2]


@pytest.mark.parametrize(("hidden_call", "caught"), [("(3)", True), ("(2)", False)])
def test_the_plant_finds_hidden_tests_that_repeat_the_self_checks_inputs(tmp_path, hidden_call,
                                                                         caught):  # fmt: skip
    """What make assignments checks beside each solution: hidden tests on new inputs catch
    the planted answer; hidden tests on the self-check's own inputs do not."""
    from tools.grading import compare, kernel, submission

    answer = "def f(x):\n    return x * x\n"
    plan, path = synthetic(tmp_path / "s.ipynb", {"f": answer}, "(2)", hidden_call)
    code = submission.grade(plan, path, kernel.environment(), plant=True)["exercises"]["f"]["code"]
    assert code["planted"]["check"] == "passed"
    same, total = compare.hidden_checks(code["records"], code["planted"]["records"], 0, 0)
    assert (same < total) is caught


def test_a_ta_grades_the_written_answers_in_nbgraders_formgrader(graded):
    """nbgrader's own formgrader serves the course folder: a submission shows its answers with
    points boxes, a TA's points reach the gradebook, and make grade reads them back."""
    import socket
    import time
    import urllib.request

    from tools.grading import gradebook

    name = list(graded["loaded"])[0]
    plan = graded["loaded"][name][0]
    prose = next(e["label"] for e in plan.exercises if e["prose"] and not e["tests"])
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    bin_ = os.path.dirname(sys.executable)
    server = subprocess.Popen(
        [os.path.join(bin_, "jupyter"), "server", "--no-browser", "--allow-root",
         f"--port={port}", "--ServerApp.ip=127.0.0.1", "--ServerApp.token=ta"],
        cwd=graded["folder"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=unwatched_environment(PATH=bin_ + os.pathsep + os.environ["PATH"]),
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/formgrader"

    def call(path, method="GET", body=None):
        request = urllib.request.Request(f"{url}/{path}", method=method, data=body,
                                         headers={"Authorization": "token ta"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.read().decode()

    try:
        for _ in range(120):  # the server takes a few seconds to start
            try:
                submitted = json.loads(call(f"api/submitted_notebooks/{name}/{name}"))
                break
            except OSError:
                time.sleep(1)
        mine = next(s for s in submitted if s["student"] == "instructor")
        page = call(f"submissions/{mine['id']}/")
        assert f'id="{prose}"' in page and 'class="score' in page
        grades = json.loads(call(f"api/grades?submission_id={mine['id']}"))
        grade = next(g for g in grades if g["name"] == prose)
        call(f"api/grade/{grade['id']}", "PUT", json.dumps({"manual_score": 1.5}).encode())
    finally:
        server.terminate()
        server.wait(timeout=30)
    book = gradebook.open_gradebook(graded["folder"])
    try:
        assert gradebook.manual_scores(book, "instructor", plan) == {prose: 1.5}
    finally:
        book.close()
