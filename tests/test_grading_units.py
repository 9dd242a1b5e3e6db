"""The grader's parts without a kernel: the course block, the chapters' exercises, the
release's answer cells, finding answers, the slice, the comparison, record, the LMS exports
and the reports. (test_grading.py runs them together.)"""

import csv
import io
import json
import zipfile

import jupytext
import pytest
import yaml

from helpers import ROOT, chapters


def test_every_assigned_chapter_states_its_exercises_and_points():
    from tools import settings
    from tools.grading import exercises

    grading = settings.grading()
    assert set(grading.assignments) <= {c.split("/")[1] for c in chapters()}
    for name, points in grading.assignments.items():
        found = exercises.with_points(ROOT / "book" / f"{name}.md", points)
        assert found and all(e.tests or e.prose for e in found)
        for exercise in found:
            assert bool(exercise.hidden) == bool(exercise.tests) == bool(exercise.function)


@pytest.mark.parametrize(
    ("points", "cause"),
    [("x", "not a positive number"), ({"tests": 0}, "not a positive number"),
     ({"code": 2}, "not a positive number")],
)  # fmt: skip
def test_bad_points_are_named(tmp_path, points, cause):
    from tools import settings

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["course"]["grading"]["assignments"]["01-power-rule"]["ex-why-sum"] = points
    (tmp_path / "_config.yml").write_text(yaml.safe_dump(config))
    with pytest.raises(settings.SettingsError, match=f"01-power-rule.ex-why-sum.*{cause}"):
        settings.grading(tmp_path)


def chapter(tmp_path, cells: str):
    page = tmp_path / "01-x.md"
    page.write_text(f":::{{exercise}} T\n:label: ex-a\n\nDo it.\n:::\n\n{cells}")
    return page


SOLUTION = "```{code-cell} ipython3\n:tags: [solution]\n\ndef f(x):\n    return x\n```\n\n"


@pytest.mark.parametrize(
    ("hidden", "cause"),
    [(":tags: [hidden-tests]\n\nrecord(f(1))", "also needs"),
     (":tags: [hidden-tests, skip-execution, nbval-skip, hide-input]\n\nf(1)", "record nothing")],
)  # fmt: skip
def test_a_hidden_test_cell_is_held_to_its_format(tmp_path, hidden, cause):
    from tools.grading import exercises

    page = chapter(tmp_path, SOLUTION + f"```{{code-cell}} ipython3\n{hidden}\n```\n")
    with pytest.raises(exercises.ExerciseError, match=f"01-x.md, cell 2: .*{cause}"):
        exercises.read(page)


def test_points_must_match_the_exercises(tmp_path):
    from tools.grading import exercises

    page = chapter(tmp_path, "")
    with pytest.raises(exercises.ExerciseError, match="no exercise 'ex-b'"):
        exercises.with_points(page, {"ex-a": 1, "ex-b": 2})
    with pytest.raises(exercises.ExerciseError, match="ex-a: the exercise has no points"):
        exercises.with_points(page, {})
    with pytest.raises(exercises.ExerciseError, match="no hidden tests"):
        exercises.with_points(page, {"ex-a": {"tests": 1}})


def test_the_student_notebooks_get_an_answer_cell_per_exercise_graded_by_hand():
    from tools.grading import release
    from tools.student import student_edition

    page = ROOT / f"{chapters()[0]}.md"
    notebook = student_edition.student_notebook(jupytext.read(page), page.name)
    notebook = release.answer_cells(notebook, {"ex-product-derivatives"})
    roles = [release.role(c) for c in notebook.cells if release.role(c)]
    prose = [r["exercise"] for r in roles if r["role"] == "prose"]
    assert prose == ["ex-product-derivatives", "ex-why-sum", "ex-derivative-count"]
    assert {"exercise": "ex-product-derivatives", "role": "answer"} in roles
    assert not any("hidden-tests" in c.metadata.get("tags", []) for c in notebook.cells)


RELEASE = [
    ("markdown", "# Chapter"),
    ("code", "import math"),
    ("markdown", "**Exercise 1**"),
    ("code", "def f(x):\n    raise NotImplementedError('TODO')"),
    ("code", "assert f(2) == 4"),
    ("markdown", "**Exercise 2**"),
    ("markdown", "*Your answer here.*"),
]


def submission(cells, tests=()):
    from tools.grading import locate

    return locate.Submission(RELEASE, cells, tests)


@pytest.mark.parametrize(
    ("cells", "status", "answer"),
    [
        (RELEASE, "not answered", []),
        ([c for c in RELEASE if "def f" not in c[1]], "answer cell not found", []),
        ([*RELEASE[:3], ("code", "def f(x):\n    return x * x"), *RELEASE[4:]], "found",
         ["def f(x):\n    return x * x"]),
        # split in two, a helper added before it, the check deleted
        ([*RELEASE[:3], ("code", "def g(x):\n    return x * x"), ("code", "def f(x):"),
          ("code", "    return g(x)"), *RELEASE[5:]], "found",
         ["def g(x):\n    return x * x", "def f(x):\n    return g(x)"]),
        # turned into markdown, fenced, and moved to the end; the stub deleted
        ([*RELEASE[:3], *RELEASE[4:], ("markdown", "```python\ndef f(x):\n    return x * x\n```")],
         "found", ["def f(x):\n    return x * x"]),
        # a copy of the check is not the student's code
        ([*RELEASE[:3], ("code", "def f(x):\n    return 4"), ("code", "assert f(2) == 4\n"),
          *RELEASE[4:]], "found", ["def f(x):\n    return 4"]),
    ],
)  # fmt: skip
def test_an_answer_is_found_by_what_the_release_says_it_is(cells, status, answer):
    found = submission(cells).code_answer(3, "f")
    assert (found.status, found.cells) == (status, answer)


def test_a_prose_answer_is_the_text_in_its_place():
    release = submission(RELEASE).prose_answer(6)
    assert (release.status, release.cells) == ("not answered", [])
    answered = [*RELEASE[:6], ("markdown", "Because *e^k* cancels.\r\n")]
    assert submission(answered).prose_answer(6).cells == ["Because *e^k* cancels."]


def test_the_slice_keeps_what_the_answers_read_and_skips_the_rest():
    from tools.grading import depends

    context = [
        "import torch\nimport numpy as np",
        "x = torch.zeros(3)",
        "z = np.ones(2)\nplot(z)",
        "%matplotlib inline\ny = np.ones(2)",
        "def helper():\n    return y",
    ]
    # a function's body reads its globals; names a cell binds before reading them are its own
    check = "with self_check():\n    z = 2\n    assert helper() + x + z"
    assert [i for i, _ in depends.needed(context, [check])] == [0, 1, 3, 4]
    hidden = "from dlbook.exercises import record\n\nfor z in (1, 2):\n    record(z + x)"
    assert depends.needed(context, [hidden]) == [(0, "import torch\n"), (1, context[1])]
    # names a function binds are its own (Python makes them local), unless declared global
    answer = "def f(a):\n    z = a + 1\n    return [y for y in z]"
    assert depends.needed(context, [answer]) == []
    shared = "def f():\n    global z\n    z = 1\n    return z"
    assert [i for i, _ in depends.needed(context, [shared])] == [0, 2]
    assert depends.needed(context, ["this does not parse ("]) == []


@pytest.mark.parametrize(
    ("expected", "found", "same"),
    [
        ({"shape": [2], "values": [1.0, 2.0]}, {"shape": [2], "values": [1.0, 2.0000001]}, True),
        ({"shape": [2], "values": [1.0, 2.0]}, {"shape": [1, 2], "values": [[1.0, 2.0]]}, False),
        ({"shape": [], "values": 3.0}, 3.0, True),
        (3.0, True, False),
        ([1.0, 2.0], [1.0], False),
        (float("nan"), float("nan"), True),
        ({"shape": [2], "values": [1.0, 2.0]}, {"shape": [2], "values": ["1", "2"]}, False),
        ("a", "a", True),
        (2_000_001, 2_000_000.0, False),  # a count: exactly, whatever rtol allows
        (20, 20.0, True),
        ({"shape": [2], "values": [1, 2]}, {"shape": [2], "values": [1, 3]}, False),
        (1.0, {"__class__": "lies"}, False),
        ({"shape": [2], "values": [1.0, 2.0]}, {"shape": [2], "values": [[1.0], 2.0]}, False),
    ],
)  # fmt: skip
def test_the_comparison_reads_untrusted_data_and_never_crashes(expected, found, same):
    from tools.grading import compare

    assert compare.agree(expected, found, rtol=1e-6, atol=1e-9) is same


def test_record_writes_json_only_where_the_grader_asks(tmp_path, monkeypatch):
    import torch

    from dlbook import exercises

    monkeypatch.delenv(exercises.RECORD, raising=False)
    exercises.record(torch.ones(2))  # the book's pages: nothing happens
    path = tmp_path / "records.jsonl"
    monkeypatch.setenv(exercises.RECORD, str(path))
    exercises.record(torch.tensor([[1.5, 2.0]], dtype=torch.float64))
    exercises.record((3, "a", None, True))
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines == [{"shape": [1, 2], "values": [[1.5, 2.0]]}, [3, "a", None, True]]
    with pytest.raises(TypeError, match="cannot record a object"):
        exercises.record(object())


def zip_of(tmp_path, files: dict[str, bytes]):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def test_a_canvas_export_becomes_a_folder_per_student(tmp_path):
    from tools.grading import lms

    export = zip_of(tmp_path, {
        "smithjane_12345_67890_01-power-rule.ipynb": b"first",
        "smithjane_12345_67891_01-power-rule-1.ipynb": b"resubmitted",
        "doejohn_late_222_333_01-power-rule.ipynb": b"late",
        "doejohn_late_222_333_scratch.ipynb": b"another notebook",
        "../../evil_1_2_01-power-rule.ipynb": b"climbs",
        "README.txt": b"ignored",
    })  # fmt: skip
    into = tmp_path / "submissions"
    taken = lms.canvas(export, "01-power-rule", into, log=lambda _: None)
    assert (into / "12345" / "01-power-rule.ipynb").read_bytes() == b"resubmitted"
    assert (into / "222" / "01-power-rule.ipynb").read_bytes() == b"late"
    assert (into / "1" / "01-power-rule.ipynb").read_bytes() == b"climbs"  # inside `into`
    assert sorted(taken) == ["1", "12345", "222"]
    assert not list(tmp_path.glob("*.ipynb"))


def test_a_gradescope_export_becomes_a_folder_per_student(tmp_path):
    from tools.grading import lms

    metadata = {
        "submission_1": {":submitters:": [{":name:": "Jane", ":sid:": "s1", ":email:": "j@x"}],
                         ":created_at:": "2026-10-01 10:00:00"},
        "submission_2": {":submitters:": [{":name:": "Jane", ":sid:": "s1", ":email:": "j@x"}],
                         ":created_at:": "2026-10-02 10:00:00"},
        "submission_3": {":submitters:": [{":name:": "Bo", ":sid:": None, ":email:": "bo@x"}],
                         ":created_at:": "2026-10-01 09:00:00"},
    }  # fmt: skip
    export = zip_of(tmp_path, {
        "assignment_1_export/submission_metadata.yml": yaml.safe_dump(metadata).encode(),
        "assignment_1_export/submission_1/01-power-rule.ipynb": b"old",
        "assignment_1_export/submission_2/01-power-rule.ipynb": b"new",
        "assignment_1_export/submission_3/homework.ipynb": b"bo's",
    })  # fmt: skip
    into = tmp_path / "submissions"
    lms.gradescope(export, "01-power-rule", into, log=lambda _: None)
    assert (into / "s1" / "01-power-rule.ipynb").read_bytes() == b"new"
    assert (into / "bo" / "01-power-rule.ipynb").read_bytes() == b"bo's"


def test_grades_go_back_into_canvass_gradebook_export(tmp_path):
    from tools.grading import lms, report

    rows = [
        {"student": "12345", "assignment": "01-x", "exercise": "a", "score": 3.0,
         "max_score": 4.0, "status": "incorrect"},
        {"student": "12345", "assignment": "01-x", "exercise": "b", "score": 2.0,
         "max_score": 3.0, "status": "graded by hand"},
        {"student": "222", "assignment": "01-x", "exercise": "a", "score": 4.0,
         "max_score": 4.0, "status": "correct"},
        {"student": "222", "assignment": "01-x", "exercise": "b", "score": None,
         "max_score": 3.0, "status": "needs manual grading"},
    ]  # fmt: skip
    grades = tmp_path / "grades.csv"
    grades.write_text(report.csv_text(rows))
    gradebook = tmp_path / "canvas.csv"
    gradebook.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (77)\n"
        "    Points Possible,,,,,7\nSmith Jane,12345,,,A,\nDoe John,222,,,A,\n"
    )
    out = tmp_path / "upload.csv"
    lms.canvas_grades(gradebook, grades, "01-x", "Homework 1 (77)", out, log=lambda _: None)
    table = {row[1]: row[5] for row in csv.reader(io.StringIO(out.read_text()))}
    assert table["12345"] == "5" and table["222"] == "" and table["ID"] == "Homework 1 (77)"


def test_the_csv_is_sorted_and_the_feedback_page_is_accessible_html():
    from bs4 import BeautifulSoup

    from tools.grading import report

    rows = [{"student": s, "assignment": "01-x", "exercise": e, "score": 1.0, "max_score": 2.0,
             "status": "correct"} for s in ("bo", "al") for e in ("b", "a")]  # fmt: skip
    text = report.csv_text(rows)
    assert text.splitlines()[0] == "student,assignment,exercise,score,max_score,status"
    order = [line.split(",")[:3] for line in text.splitlines()[1:]]
    assert order == [[s, "01-x", e] for s in ("al", "bo") for e in ("a", "b")]
    part = {"title": "<script>", "score": None, "max_score": 3.0, "status": "needs manual grading",
            "lines": ["A teaching assistant grades it by hand."], "text": "<b>x</b>"}  # fmt: skip
    page = BeautifulSoup(report.feedback_page("al", "01-x", [part]), "html.parser")
    assert page.html["lang"] == "en" and page.title.string == "Feedback on 01-x for al"
    assert page.h1 and page.h2.string == "<script>" and not page.find("script")
    assert page.blockquote.string == "<b>x</b>"
