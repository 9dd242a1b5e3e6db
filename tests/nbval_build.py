"""nbval's check of the committed outputs, against the execution the book's build has just made.

Each chapter's paired notebook (book/NN-topic.ipynb) holds its reference outputs. `pytest
--nbval` would start a kernel and execute every chapter again; but make test builds the book
first, under the same offline settings (offline.env), from the same cells (test_pairing.py),
and the build's execution cache (_build/.jupyter_cache) holds what each cell printed. With
`--nbval-build` each reference cell is compared with that output by nbval's own code: its cell
options and tags, its sanitizers (`--nbval-sanitize-with`), its stream coalescing and its
comparison. One execution per chapter, read by the site, the PDFs, the student edition and
this check alike. The build must be current: a chapter whose stamp
(_build/.inputs-fingerprint) is not what its inputs are now (code/, the lock, the settings)
fails with "run make book", never compares stale outputs. `--nbval` itself still works (and
test_nbval_planted.py runs it, a kernel and all).
"""

import copy
import functools
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest
from nbval.plugin import (
    IPyNbCell,
    IPyNbFile,
    coalesce_streams,
    find_comment_markers,
    find_metadata_tags,
)

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
OPTION = "--nbval-build"


def pytest_addoption(parser):
    parser.addoption(
        OPTION,
        action="store_true",
        help="compare book/*.ipynb's outputs with the book build's execution (no kernel)",
    )
    parser.addoption(
        "--nbval-build-dir",
        type=Path,
        default=BUILD,
        help=f"the build folder whose outputs {OPTION} reads (default: _build)",
    )


@functools.cache
def current_fingerprints() -> dict[str, str]:
    """What each chapter reads now, as make book stamps it (importing the model settings)."""
    from tools.book import build_book, chapter_inputs

    return chapter_inputs.fingerprints(settings=build_book.resolved_settings())


def executed_cells(reference: Path, build: Path) -> list:
    """The code cells of the chapter as the build in `build` executed them, with outputs."""
    import jupytext  # here, not on import: every pytest run loads this plugin
    from jupyter_cache import get_cache

    from tools.book.build_book import built_stamp

    chapter = f"book/{reference.stem}"
    built = built_stamp(build) or {}
    if built.get(chapter) != current_fingerprints().get(chapter):
        pytest.fail(
            f"{chapter}: the build's outputs are missing or stale (what the chapter reads "
            "changed since it executed): run `make book` (make test does), then this",
            pytrace=False,
        )
    page = reference.with_suffix(".md")
    try:
        if not (build / ".jupyter_cache").is_dir():  # (get_cache would make an empty one)
            raise KeyError(page)
        cache = get_cache(build / ".jupyter_cache")
        _, notebook = cache.merge_match_into_notebook(jupytext.read(page))
    except KeyError:
        pytest.fail(
            f"{page.name}: no executed outputs for these cells in {build}/.jupyter_cache: "
            "run `make book`",
            pytrace=False,
        )
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


class BuiltNotebook(IPyNbFile):
    """A reference notebook whose cells read the build's outputs instead of a kernel's."""

    def setup(self):
        self.setup_sanitize_files()
        build = self.config.getoption("nbval_build_dir")
        self.executed = executed_cells(Path(self.fspath), build)

    def teardown(self):
        pass  # no kernel to stop

    def collect(self):
        """As nbval collects (a test per code cell, its options from tags and comments)."""
        self.nb = nbformat.read(str(self.fspath), as_version=4)
        code = [cell for cell in self.nb.cells if cell.cell_type == "code"]
        for number, cell in enumerate(code):
            options = defaultdict(bool, find_metadata_tags(cell.metadata))
            options.update(dict(find_comment_markers(cell.source)))
            options.setdefault("check", self.compare_outputs)
            item = BuiltCell.from_parent(
                self, name=f"Cell {number}", cell_num=number, cell=cell, options=options
            )
            item.add_marker(pytest.mark.book)
            yield item


class BuiltCell(IPyNbCell):
    def runtest(self):
        """nbval's runtest, with the build's outputs of the cell as the ones just computed."""
        if self.options["skip"]:
            pytest.skip("tagged nbval-skip")
        executed = self.parent.executed
        if self.cell_num >= len(executed) or executed[self.cell_num].source != self.cell.source:
            self.raise_cell_error(
                "the build executed other code here: book/*.ipynb is not paired with its .md "
                "(tests/test_pairing.py), or the book is older than the chapter"
            )
        if executed[self.cell_num].execution_count is None:  # nbval would have run it
            self.raise_cell_error("the build did not execute this cell (skip-execution?)")
        outputs = coalesce_streams(copy.deepcopy(executed[self.cell_num].outputs))
        errors = [output for output in outputs if output.output_type == "error"]
        if errors and not self.options["check_exception"]:
            traceback = "\n" + "\n".join(errors[0].traceback)
            self.raise_cell_error("Cell execution caused an exception", traceback)
        unrun = self.cell.execution_count is None
        if unrun and self.cell.outputs:
            self.raise_cell_error("Unrun reference cell has outputs")
        reference = coalesce_streams(self.cell.outputs)
        if self.options["check"] and not unrun and not self.compare_outputs(outputs, reference):
            self.raise_cell_error("Cell outputs differ", "\n".join(self.comparison_traceback))


def pytest_collect_file(file_path, parent):
    """book/*.ipynb as BuiltNotebook items when --nbval-build is given."""
    if parent.config.getoption("nbval_build") and file_path.suffix == ".ipynb":
        if parent.config.option.nbval or parent.config.option.nbval_lax:
            raise pytest.UsageError(f"{OPTION} and --nbval: choose one")
        return BuiltNotebook.from_parent(parent, path=file_path)
