"""The student edition's sources: every solution out, a TODO stub where a solution was code.

Exercises use standard parts: sphinx-exercise's `exercise` / `solution` directives for prose,
and code cells tagged `solution` whose answer sits between nbgrader's markers

    ### BEGIN SOLUTION
    ...
    ### END SOLUTION

Cells tagged `self-check` (asserts) stay. In the student edition the stubs and self-checks are
tagged `skip-execution`, so the book builds, and a student's notebook runs up to the first TODO.
"""

import copy
import re
import shutil
from pathlib import Path

import jupytext
import yaml

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = 'raise NotImplementedError("TODO: your code here")'
SOLUTION_BLOCK = re.compile(r"^:::\{solution\}.*?^:::[ \t]*$\n?", re.M | re.S)
MARKED = re.compile(
    rf"^([ \t]*){re.escape(BEGIN)}[ \t]*\n.*?^[ \t]*{re.escape(END)}[ \t]*$",
    re.M | re.S,
)


class EditionError(RuntimeError):
    pass


def stub(source: str, where: str) -> str:
    if BEGIN not in source or END not in source:
        raise EditionError(f"{where}: a `solution` cell needs {BEGIN!r} ... {END!r} markers")
    return MARKED.sub(lambda match: match.group(1) + STUB, source)


def student_notebook(notebook, name: str):
    notebook = copy.deepcopy(notebook)
    for index, cell in enumerate(notebook.cells):
        tags = set(cell.metadata.get("tags", []))
        if cell.cell_type == "markdown":
            cell.source = SOLUTION_BLOCK.sub("", cell.source)
        elif "solution" in tags:
            cell.source = stub(cell.source, f"{name}, cell {index}")
            tags = (tags - {"solution", "hide-input"}) | {
                "exercise",
                "skip-execution",
            }
        elif "self-check" in tags:
            tags |= {"skip-execution"}
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if tags:
            cell.metadata["tags"] = sorted(tags)
    return notebook


def student_config(text: str) -> str:
    """The instructor's _config.yml: solutions hidden, launch buttons on the student branch."""
    config = yaml.safe_load(text)
    config["title"] = f"{config['title']} (student edition)"
    config.setdefault("sphinx", {}).setdefault("config", {})["hide_solutions"] = True
    branch = (config.get("course") or {}).get("student_branch")
    if branch:
        config["repository"]["branch"] = branch
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)


def make_sources(destination: Path, root: Path = ROOT) -> Path:
    """Write the student edition's book sources (pages and Colab notebooks) to `destination`."""
    shutil.rmtree(destination, ignore_errors=True)
    (destination / "book").mkdir(parents=True)
    for name in ("_toc.yml", "references.bib"):
        shutil.copy(root / name, destination / name)
    (destination / "_config.yml").write_text(student_config((root / "_config.yml").read_text()))
    for folder in (
        "tools",
        "code",
    ):  # the footer extension; the sources literalinclude shows
        shutil.copytree(
            root / folder,
            destination / folder,
            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
        )
    for page in sorted((root / "book").glob("*.md")):
        target = destination / "book" / page.name
        if not re.match(r"\d\d-", page.name):
            shutil.copy(page, target)
            continue
        notebook = student_notebook(jupytext.read(page), page.name)
        jupytext.write(notebook, target, fmt="md:myst")
        jupytext.write(notebook, target.with_suffix(".ipynb"))
    return destination
