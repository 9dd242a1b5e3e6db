"""Each chapter's .md (the source) and its paired .ipynb (for Colab, and nbval's reference)."""

import re

import jupytext
import nbformat
import pytest
import yaml

from conftest import ROOT, chapters


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
    assert all(cell.execution_count for cell in code), "not executed: run `make golden`"
    assert any(cell.outputs for cell in code)


@pytest.mark.parametrize("chapter", chapters())
def test_colab_setup_cell_installs_this_repository(chapter, config):
    first = next(c for c in jupytext.read(ROOT / f"{chapter}.md").cells if c.cell_type == "code")
    assert "remove-cell" in first.metadata.get("tags", []), "setup cell must be hidden in the book"
    assert '"google.colab" in sys.modules' in first.source, "must be a no-op outside Colab"
    urls = re.findall(r"git\+(\S+?)@", first.source)
    assert urls == [config["repository"]["url"]], "Colab must install the repository of _config.yml"


def test_no_static_folder_at_the_book_root():
    # Jupyter Book 1 injects every JS file of <book root>/_static into every page.
    assert not (ROOT / "_static").exists()


def test_set_repository_moves_config_and_setup_cells_together(tmp_path):
    import shutil

    from set_repository import set_repository

    shutil.copy(ROOT / "_config.yml", tmp_path)
    shutil.copytree(ROOT / "book", tmp_path / "book")
    set_repository("https://github.com/acme/dl-course", "fall26", root=tmp_path)
    config = yaml.safe_load((tmp_path / "_config.yml").read_text())
    assert config["repository"]["url"] == "https://github.com/acme/dl-course"
    assert config["repository"]["branch"] == "fall26"
    for chapter in chapters():
        for suffix in (".md", ".ipynb"):
            text = (tmp_path / f"{chapter}{suffix}").read_text()
            assert "git+https://github.com/acme/dl-course@fall26" in text, chapter + suffix


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
