"""Two editions from one source: the instructor's shows solutions (collapsed); the student's
has none anywhere: pages, sources, notebooks, search index, the published tree and its
package. (test_student_notebooks.py runs the published notebooks.)"""

import re

import nbformat
import pytest
from bs4 import BeautifulSoup

from helpers import HTML, ROOT, chapters

pytestmark = pytest.mark.book  # needs the built book or builds one: not in the fast loop

STUDENT = ROOT / "_build" / "student"
TEXT_SUFFIXES = {
    ".html",
    ".md",
    ".ipynb",
    ".txt",
    ".js",
    ".json",
    ".yml",
    ".py",
}


def solution_snippets() -> dict[str, list[str]]:
    """Distinctive pieces of every solution, per chapter: code lines and prose phrases."""
    from tools.student import student_edition

    snippets = {}
    for chapter in chapters():
        source = (ROOT / f"{chapter}.md").read_text()
        found = []
        for block in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", source, re.S):
            found += [
                " ".join(line.split()) for line in block.splitlines() if len(line.strip()) >= 8
            ]
        for block in student_edition.SOLUTION_BLOCK.findall(source):
            body = block.split("\n", 3)[-1]  # past the directive line and its options
            for phrase in re.split(r"\{[\w:-]+\}|\$[^$]*\$|`[^`]*`|\([^)]*\)|[.;:]", body):
                words = phrase.split()
                if len(words) >= 5:
                    found.append(normalized(phrase))
        snippets[chapter] = found
    return snippets


def normalized(text: str) -> str:
    """One space between words, and Sphinx's smart quotes back to plain ones."""
    text = text.translate(str.maketrans("‘’“”", "''\"\""))
    return " ".join(text.split())


def visible_text(path) -> str:
    text = path.read_text(errors="ignore")
    if path.suffix == ".html":
        text = BeautifulSoup(text, "html.parser").get_text()
    return normalized(text)


@pytest.fixture(scope="module")
def student_site():
    if not (STUDENT / "_build" / "html" / "index.html").exists():
        pytest.skip("no student edition in _build/student: run `make student` (make test does)")
    return STUDENT


def test_every_chapter_has_an_exercise_with_a_solution():
    for chapter, snippets in solution_snippets().items():
        assert snippets, f"{chapter} has no exercise with a solution"


def test_instructor_edition_shows_solutions_collapsed():
    if not (HTML / "index.html").exists():
        pytest.skip("no built book in _build/html")
    for chapter in chapters():
        page = (HTML / f"{chapter}.html").read_text()
        text = visible_text(HTML / f"{chapter}.html")
        for snippet in solution_snippets()[chapter]:  # the positive control for the next test
            assert snippet in text, f"{chapter}: {snippet!r} missing from the instructor edition"
        assert re.search(r'class="[^"]*solution[^"]*dropdown', page), f"{chapter}: not collapsed"


def student_files(folder):
    return [p for p in folder.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES]


def assert_no_solution_in(files, root):
    snippets = [s for chapter in solution_snippets().values() for s in chapter]
    for path in files:
        text = visible_text(path)
        leaked = [snippet for snippet in snippets if snippet in text]
        assert not leaked, f"{path.relative_to(root)} contains solution text: {leaked[:3]}"


def test_no_solution_reaches_any_student_artifact(student_site):
    # src/code and src/tools are copies of the package and build tools, there only for the
    # pages' literalinclude and footer (the published tree's package is scanned below); every
    # page, notebook and index is scanned.
    public = (student_site / "src" / "code", student_site / "src" / "tools")
    files = [p for p in student_files(student_site) if not p.is_relative_to(public[0])
             and not p.is_relative_to(public[1])]  # fmt: skip
    assert len(files) > 20
    assert_no_solution_in(files, student_site)


def test_no_solution_in_the_published_tree():
    """Every file of the public repository's tree, the package included."""
    tree = ROOT / "_build" / "publish"
    if not (tree / "pyproject.toml").exists():
        pytest.skip("no published tree in _build/publish: run `make publish` (make test does)")
    files = student_files(tree)
    assert any(p.suffix == ".py" for p in files) and any(p.suffix == ".ipynb" for p in files)
    assert_no_solution_in(files, tree)


def test_student_pages_keep_outputs_but_not_of_answers_or_self_checks(student_site):
    from tools.student import student_edition

    for chapter in chapters():
        notebook = nbformat.read(student_site / "src" / f"{chapter}.ipynb", as_version=4)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        stubs = [cell for cell in code if student_edition.STUB in cell.source]
        checks = [cell for cell in code if "self-check" in cell.metadata.get("tags", [])]
        assert stubs and checks, chapter
        assert not any(cell.outputs for cell in stubs + checks), chapter
        assert any(cell.outputs for cell in code), f"{chapter}: the instructor build's outputs"


def test_stub_needs_markers_and_keeps_indentation():
    from tools.student import student_edition

    source = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
    assert student_edition.stub(source, "here") == f"def f(x):\n    {student_edition.STUB}\n"
    with pytest.raises(student_edition.EditionError, match="here.*markers"):
        student_edition.stub("def f(x):\n    return x\n", "here")


def test_student_config_hides_solutions_and_moves_launch_buttons():
    import yaml

    from tools.student import student_edition

    config = yaml.safe_load(student_edition.student_config(ROOT))
    original = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["sphinx"]["config"]["hide_solutions"] is True
    assert config["repository"]["url"] == original["course"]["student_repository"]
    assert config["repository"]["branch"] == original["course"]["student_tag"]
    assert config["execute"]["execute_notebooks"] == "off"
    # Live Code on the public Binder; no edit button on private sources (the instructor's has)
    assert config["launch_buttons"]["thebe"] is True and "thebe" not in original["launch_buttons"]
    assert config["html"]["use_edit_page_button"] is False
    assert original["html"]["use_edit_page_button"] is True
    # Everything else is as the instructor's config has it.
    assert config["bibtex_bibfiles"] == original["bibtex_bibfiles"]
    assert config["course"] == original["course"]


def test_sources_are_rewritten_only_where_they_changed(tmp_path):
    """The same chapter gives the same file, and `update` touches only what changed, so an
    unchanged student edition is not rebuilt page by page."""
    import jupytext

    from tools.student import student_edition

    page = ROOT / f"{chapters()[0]}.md"
    twice = [student_edition.student_notebook(jupytext.read(page), page.name) for _ in range(2)]
    assert nbformat.writes(twice[0]) == nbformat.writes(twice[1])

    fresh, site = tmp_path / "fresh", tmp_path / "site"
    (fresh / "book").mkdir(parents=True)
    (fresh / "book" / "same.md").write_text("same")
    (fresh / "changed.md").write_text("new")
    (site / "book").mkdir(parents=True)
    (site / "book" / "same.md").write_text("same")
    (site / "changed.md").write_text("old")
    (site / "gone").mkdir()
    (site / "gone" / "stale.md").write_text("stale")
    before = (site / "book" / "same.md").stat().st_mtime_ns
    student_edition.update(site, fresh)
    assert sorted(str(p.relative_to(site)) for p in site.rglob("*")) == [
        "book", "book/same.md", "changed.md",
    ]  # fmt: skip
    assert (site / "changed.md").read_text() == "new"
    assert (site / "book" / "same.md").stat().st_mtime_ns == before
