"""The graded homework's secrets reach no student: no hidden test and no solution in the release
notebooks, the student site, the student PDF or the published tree; the instructor edition,
and it alone, shows each exercise's points (tools/sphinx/points.py)."""

import shutil
import subprocess

import pytest
from bs4 import BeautifulSoup

from helpers import HTML, ROOT, chapters
from test_editions import normalized, student_files, visible_text
from tools.pdf.build_pdf import NAMES

STUDENT = ROOT / "_build" / "student"
TREE = ROOT / "_build" / "publish"
PDF = ROOT / "_build" / "pdf" / NAMES["student"]

pytestmark = pytest.mark.book  # reads the built sites, PDF and tree


def hidden_lines() -> list[str]:
    """Every hidden-test line of every chapter that says more than an import and is not also
    on the page (a line the self-check shares is no secret)."""
    import jupytext

    from tools.grading import exercises

    lines = set()
    for chapter in chapters():
        page = ROOT / f"{chapter}.md"
        cells = jupytext.read(page).cells
        hidden = [c.source for c in cells if exercises.HIDDEN in c.metadata.get("tags", [])]
        shown = normalized("\n".join(c.source for c in cells if c.source not in hidden))
        mine = {normalized(line) for cell in hidden for line in cell.splitlines()}
        lines |= {line for line in mine if len(line) >= 16 and "import" not in line
                  and line not in shown}  # fmt: skip
    return sorted(lines)


def test_the_chapters_have_hidden_tests_to_look_for():
    assert len(hidden_lines()) >= 20


def test_no_hidden_test_or_solution_in_the_release_notebooks():
    """The releases as make assignments writes them (the published notebooks)."""
    from test_editions import solution_snippets
    from tools.grading import course

    secrets = hidden_lines() + [s for c in solution_snippets().values() for s in c]
    for name, (_, notebook, _) in course.plans().items():
        text = normalized("\n".join(cell.source for cell in notebook.cells))
        leaked = [line for line in secrets if line in text]
        assert not leaked, f"{name}'s release holds {leaked[:3]}"
        assert "hidden-tests" not in str(notebook)


def assert_no_hidden_test_in(files, root):
    lines = hidden_lines()
    for path in files:
        text = visible_text(path)
        leaked = [line for line in lines if line in text]
        assert not leaked, f"{path.relative_to(root)} holds hidden tests: {leaked[:3]}"


def test_no_hidden_test_on_the_student_site_or_in_the_published_tree():
    if not (STUDENT / "_build" / "html" / "index.html").exists() or not (TREE / "book").exists():
        pytest.skip("no student site or published tree: make publish (make test does)")
    for root in (STUDENT, TREE):
        files = student_files(root)
        assert any(p.suffix == ".ipynb" for p in files)
        assert_no_hidden_test_in(files, root)


@pytest.mark.environment  # pdftotext starts with this environment
def test_no_hidden_test_in_the_student_pdf():
    if not PDF.exists() or shutil.which("pdftotext") is None:
        pytest.skip("no student PDF or no pdftotext: make pdf (make test does)")
    raw = subprocess.run(["pdftotext", "-enc", "UTF-8", str(PDF), "-"], capture_output=True,
                         text=True, check=True).stdout  # fmt: skip
    text = normalized(raw)
    assert "Exercise" in text
    assert not [line for line in hidden_lines() if line in text]


def exercise_points(site, chapter) -> list[str]:
    page = BeautifulSoup((site / f"{chapter}.html").read_text(), "html.parser")
    return [p.get_text() for p in page.select(".exercise-points")]


def test_the_instructor_edition_shows_each_exercises_points():
    from tools import settings

    if not (HTML / "index.html").exists():
        pytest.skip("no built book in _build/html: make book")
    assignments = settings.grading().assignments
    for chapter in chapters():
        shown = exercise_points(HTML, chapter)
        points = assignments.get(chapter.split("/")[1], {})
        assert len(shown) == len(points), chapter
        assert all(text.startswith("Points: ") for text in shown)
    first = chapters()[0]
    label, given = next(iter(assignments[first.split("/")[1]].items()))
    assert f"Points: {given:g}." in exercise_points(HTML, first)
    student = STUDENT / "_build" / "html"
    if (student / "index.html").exists():
        assert all(exercise_points(student, chapter) == [] for chapter in chapters())


def test_the_release_is_the_published_notebook(tmp_path):
    """One student notebook per chapter: what make assignments releases is what make publish
    puts in the student repository, byte for byte."""
    from tools.grading import assignments, course

    if not (TREE / "book").exists():
        pytest.skip("no published tree: make publish (make test does)")
    for name, (_, notebook, _) in course.plans().items():
        released = assignments.write_notebook(notebook, tmp_path / f"{name}.ipynb")
        published = TREE / "book" / f"{name}.ipynb"
        assert released.read_bytes() == published.read_bytes(), f"{name}: not the published one"
