"""Each chapter's .md (the source) and its paired .ipynb (for Colab, and nbval's reference)."""

import re

import jupytext
import nbformat
import pytest

from helpers import ROOT, chapters


def cells(notebook):
    return [
        (
            cell.cell_type,
            cell.source.strip(),
            sorted(cell.metadata.get("tags", [])),
        )
        for cell in notebook.cells
    ]


@pytest.mark.parametrize("chapter", chapters())
def test_paired_notebook_matches_its_source(chapter):
    source = jupytext.read(ROOT / f"{chapter}.md")
    paired = ROOT / f"{chapter}.ipynb"
    assert paired.exists(), f"{paired.name} is missing: run `make golden`"
    assert cells(nbformat.read(paired, as_version=4)) == cells(source), (
        f"{paired.name} has drifted from {chapter}.md: run `make golden` and review the diff"
    )


@pytest.mark.parametrize("chapter", chapters())
def test_paired_notebook_holds_reference_outputs(chapter):
    notebook = nbformat.read(ROOT / f"{chapter}.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    # hidden tests (tools/grading) run only when grading: nothing executes skip-execution cells
    code = [cell for cell in code if "skip-execution" not in cell.metadata.get("tags", [])]
    assert all(cell.execution_count for cell in code), "not executed: run `make golden`"
    assert any(cell.outputs for cell in code)


def test_no_static_folder_at_the_book_root():
    # Jupyter Book 1 injects every JS file of <book root>/_static into every page.
    assert not (ROOT / "_static").exists()


# A chapter runs in places without this repository's layout (the student edition, Colab) and on
# devices CPU CI never sees: its cells leave both to dlbook, whose functions the tests run here.
LAYOUT_OR_DEVICE = re.compile(
    r"\.\./(bench|tools|tests)/|torch\.cuda\.is_available|==\s*[\"']cuda|[\"']cuda[\"']\s*=="
)


@pytest.mark.parametrize("chapter", chapters())
def test_cells_neither_run_repository_files_nor_branch_on_the_device(chapter):
    notebook = jupytext.read(ROOT / f"{chapter}.md")
    offending = [
        line.strip()
        for cell in notebook.cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if LAYOUT_OR_DEVICE.search(line)
    ]
    assert offending == [], f"{chapter}: use dlbook (e.g. dlbook.device.choose) instead"


def test_chapters_leave_the_colab_setup_to_publish():
    # One setup cell for every notebook, written by tools/student/publish.py from _config.yml.
    for chapter in chapters():
        cells = jupytext.read(ROOT / f"{chapter}.md").cells
        assert not any("google.colab" in cell.source for cell in cells), chapter
