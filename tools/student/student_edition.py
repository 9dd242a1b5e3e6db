"""The student edition's sources: every solution out, a TODO stub where a solution was code.

Exercises use standard parts: sphinx-exercise's `exercise` / `solution` directives for prose,
and code cells tagged `solution` whose answer sits between nbgrader's markers

    ### BEGIN SOLUTION
    ...
    ### END SOLUTION

Cells tagged `self-check` stay: `dlbook.exercises.self_check` reports a TODO instead of failing,
so a student's "Run all" goes to the end. The student site is not executed again: its pages take
the instructor build's outputs from the execution cache (identical cells, identical outputs),
without the outputs of solutions and self-checks. tools/student/publish.py runs the notebooks
instead. Cells tagged `hidden-tests` (the instructor's, tools/grading) are removed.
"""

import copy
import filecmp
import json
import re
import shutil
import tempfile
from pathlib import Path

import jupytext
import yaml
from jupyter_cache import get_cache

from dlbook.exercises import TODO
from tools import settings
from tools.grading.exercises import HIDDEN
from tools.sphinx import execution

ROOT = Path(__file__).resolve().parents[2]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = f"raise NotImplementedError({TODO!r})"
SOLUTION_BLOCK = re.compile(r"^:::\{solution\}.*?^:::[ \t]*$\n?", re.M | re.S)
MARKED = re.compile(
    rf"^([ \t]*){re.escape(BEGIN)}[ \t]*\n.*?^[ \t]*{re.escape(END)}[ \t]*$",
    re.M | re.S,
)


class EditionError(RuntimeError):
    pass


def is_chapter(page: Path) -> bool:
    """Chapters are book/NN-topic.md: executed, with exercises and a notebook of their own."""
    return re.match(r"\d\d-", page.name) is not None


def stub(source: str, where: str) -> str:
    if BEGIN not in source or END not in source:
        raise EditionError(f"{where}: a `solution` cell needs {BEGIN!r} ... {END!r} markers")
    return MARKED.sub(lambda match: match.group(1) + STUB, source)


def student_notebook(notebook, name: str):
    """`notebook` without solutions; the outputs of answers and self-checks dropped."""
    notebook = copy.deepcopy(notebook)
    notebook.metadata.pop("jupytext", None)  # the student copy is not paired with a source
    # The instructor's hidden tests (tools/grading) reach no student artifact.
    notebook.cells = [c for c in notebook.cells if HIDDEN not in c.metadata.get("tags", [])]
    for index, cell in enumerate(notebook.cells):
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "markdown":
            cell.source = SOLUTION_BLOCK.sub("", cell.source)
            continue
        if "solution" in tags:
            cell.source = stub(cell.source, f"{name}, cell {index}")
            cell.metadata["tags"] = sorted((tags - {"solution", "hide-input"}) | {"exercise"})
        if tags & {"solution", "self-check"}:
            cell.outputs, cell.execution_count = [], None
    return number_cells(notebook)


def number_cells(notebook):
    """Cell ids by position: jupytext invents random ones, and the same notebook should be the
    same file (an unchanged page is not rebuilt; the student repository's diffs stay real)."""
    for index, cell in enumerate(notebook.cells):
        cell.id = f"cell-{index}"
    return notebook


def executed_chapter(page: Path, cache_dir: Path):
    """The chapter with the outputs of its last execution (jupyter-cache matches cell sources)."""
    try:
        return get_cache(cache_dir).merge_match_into_notebook(jupytext.read(page))[1]
    except KeyError:
        raise EditionError(
            f"{page.name} has no current outputs in {cache_dir}: build the book first "
            "(`make book`), then the student edition"
        ) from None


def execution_records(pages: list[Path], cache_dir: Path) -> str:
    """What the instructor build's cache says of each chapter's run, as myst-nb records it
    (tools/sphinx/execution.py shows them in the student edition's execution table)."""
    cache, records = get_cache(cache_dir), {}
    for page in pages:
        record = cache.match_cache_notebook(jupytext.read(page))
        records[f"book/{page.stem}"] = {
            "mtime": record.created.timestamp(),
            "runtime": record.data.get("execution_seconds"),
            "method": "cache",
            "succeeded": True,
            "error": None,
            "traceback": None,
        }
    return json.dumps(records, indent=2, sort_keys=True) + "\n"


def student_config(root: Path = ROOT) -> str:
    """The instructor's _config.yml: no solutions, no execution, launch buttons (Live Code
    too) and the issue button on the public student repository at this semester's tag; no
    edit button, since the sources it would edit are private."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    course = settings.course(root)
    config["title"] = f"{course.title} (student edition)"
    config.setdefault("sphinx", {}).setdefault("config", {})["hide_solutions"] = True
    config["repository"].update(url=course.student_repository, branch=course.student_tag)
    config["launch_buttons"]["thebe"] = True  # tools/sphinx/live_code.py: Binder at the tag
    config["html"]["use_edit_page_button"] = False
    config["execute"]["execute_notebooks"] = "off"  # the outputs come from the instructor build
    config["exclude_patterns"] = [p for p in config["exclude_patterns"] if p != "book/*.ipynb"]
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def make_sources(destination: Path, root: Path = ROOT, cache_dir: Path | None = None) -> Path:
    """Write the student site's sources to `destination`: each chapter as a notebook with the
    instructor build's outputs (read from `cache_dir`), every solution removed."""
    cache_dir = cache_dir or root / "_build" / ".jupyter_cache"
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch)
        (fresh / "book").mkdir()
        for name in ("_toc.yml", "references.bib"):
            shutil.copy(root / name, fresh / name)
        (fresh / "_config.yml").write_text(student_config(root))
        for folder in ("tools", "code"):  # the footer extension; the sources literalinclude shows
            shutil.copytree(
                root / folder,
                fresh / folder,
                ignore=shutil.ignore_patterns(*settings.GENERATED),
            )
        for page in sorted((root / "book").glob("*.md")):
            if not is_chapter(page):
                shutil.copy(page, fresh / "book" / page.name)
                continue
            notebook = student_notebook(executed_chapter(page, cache_dir), page.name)
            jupytext.write(notebook, (fresh / "book" / page.name).with_suffix(".ipynb"))
        chapters = sorted(filter(is_chapter, (root / "book").glob("*.md")))
        (fresh / execution.RECORDS).write_text(execution_records(chapters, cache_dir))
        update(destination, fresh)
    return destination


def update(destination: Path, fresh: Path) -> None:
    """Make `destination` hold what `fresh` holds, touching only files that changed: Sphinx
    rebuilds the pages whose sources are newer, so an unchanged edition builds in seconds."""
    wanted = {p.relative_to(fresh) for p in fresh.rglob("*") if p.is_file()}
    if destination.exists():
        for path in sorted(destination.rglob("*"), reverse=True):  # files before their folders
            if path.is_file() and path.relative_to(destination) not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    for relative in sorted(wanted):
        source, target = fresh / relative, destination / relative
        if not target.exists() or not filecmp.cmp(source, target, shallow=False):
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
