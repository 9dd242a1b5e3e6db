"""Two editions from one source: the instructor's shows solutions (collapsed); the student's
has none anywhere — pages, sources, notebooks, search index — yet its notebooks run to the
first TODO."""

import html
import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import HTML, ROOT, chapters

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
    import student_edition

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
            for phrase in re.split(r"\$[^$]*\$|`[^`]*`|\([^)]*\)|[.;:]", body):
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
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
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


def test_no_solution_reaches_any_student_artifact(student_site):
    snippets = [s for chapter in solution_snippets().values() for s in chapter]
    # src/code and src/tools are copies of the public package and build tools, there only for
    # the pages' literalinclude and footer; every page, notebook and index is scanned.
    public = (student_site / "src" / "code", student_site / "src" / "tools")
    files = [
        p
        for p in student_site.rglob("*")
        if p.is_file()
        and p.suffix in TEXT_SUFFIXES
        and not p.is_relative_to(public[0])
        and not p.is_relative_to(public[1])
    ]
    assert len(files) > 20
    for path in files:
        text = visible_text(path)
        leaked = [snippet for snippet in snippets if snippet in text]
        assert not leaked, f"{path.relative_to(student_site)} contains solution text: {leaked[:3]}"


def test_student_notebooks_keep_self_checks_and_have_stubs(student_site):
    import student_edition

    for chapter in chapters():
        notebook = nbformat.read(student_site / "src" / f"{chapter}.ipynb", as_version=4)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        assert any(student_edition.STUB in cell.source for cell in code), chapter
        assert any("self-check" in cell.metadata.get("tags", []) for cell in code), chapter
        assert not any(cell.outputs for cell in code), f"{chapter}: outputs in a student notebook"


@pytest.mark.parametrize("chapter", chapters())
def test_student_notebook_runs_up_to_its_first_todo(student_site, chapter):
    import student_edition

    path = student_site / "src" / f"{chapter}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    # A student in Jupyter or Colab runs every cell: skip-execution is for the book's build only.
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            skip_cells_with_tag="run-every-cell",
                            resources={"metadata": {"path": str(path.parent)}})  # fmt: skip
    stub_seen = False
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            stub_seen |= student_edition.STUB in cell.source
            if stub_seen and "self-check" in cell.metadata.get("tags", []):
                # The first self-check after a TODO stops there, and says why.
                with pytest.raises(CellExecutionError, match="TODO: your code here"):
                    client.execute_cell(cell, index)
                return
            client.execute_cell(cell, index)  # raises on any error before the first TODO
    pytest.fail(f"{chapter}: no self-check after a TODO")


def test_stub_needs_markers_and_keeps_indentation():
    import student_edition

    source = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
    assert student_edition.stub(source, "here") == f"def f(x):\n    {student_edition.STUB}\n"
    with pytest.raises(student_edition.EditionError, match="here.*markers"):
        student_edition.stub("def f(x):\n    return x\n", "here")


def test_student_config_hides_solutions_and_moves_launch_buttons():
    import yaml

    import student_edition

    config = yaml.safe_load(student_edition.student_config((ROOT / "_config.yml").read_text()))
    assert config["sphinx"]["config"]["hide_solutions"] is True
    assert config["repository"]["branch"] == config["course"]["student_branch"]
    # Everything else is as the instructor's config has it.
    original = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert config["bibtex_bibfiles"] == original["bibtex_bibfiles"]
    assert config["course"] == original["course"]
