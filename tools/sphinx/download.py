"""Sphinx extension: the download menu gives the plain notebook and the whole book as a PDF.

sphinx-book-theme links ".ipynb" to `_sources/`, the MyST source notebook, where `(label)=`,
`{cite:p}`, `{eq}` and `:::{exercise}` show as markup. This extension writes each chapter as
plain Jupyter into the site's `notebooks/` folder and points that entry there:

- the student site: the notebook that `make publish` puts in the student repository and Colab
  opens (tools/student/publish.py: no solutions, MyST resolved, badges and the setup cell);
- the instructor site: the same conversion of the whole chapter, solutions kept (written out
  as "Solution" blockquotes), without the student repository's header.

It changes that one entry of the theme's download group (on a page built from a notebook, the
".ipynb" source entry, which is the same MyST) and leaves the others alone. tests/test_site.py
downloads the notebook as the link gives it and checks that no MyST is left.

Every page's group also offers the edition's PDF, which `make pdf` (tools/pdf/build_pdf.py) puts
beside index.html. (The theme's own ".pdf" entry prints the one page.)
"""

import re
from pathlib import Path

import jupytext
import nbformat

from tools.pdf.build_pdf import NAMES as PDF

FOLDER = "notebooks"
CHAPTER = re.compile(r"book/(\d\d-[\w-]+)$")
SOLUTION = re.compile(r"^:::\{solution\}[^\n]*\n(?::\w+:[^\n]*\n)*(.*?)^:::[ \t]*$", re.M | re.S)


def is_student(app) -> bool:
    return bool(getattr(app.config, "hide_solutions", False))


def solution(match) -> str:
    body = match.group(1).strip().splitlines()
    return "**Solution**\n\n" + "\n".join(f"> {line}".rstrip() for line in body)


def solutions_as_text(notebook):
    """The instructor's `:::{solution}` blocks as blockquotes under a bold "Solution"."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = SOLUTION.sub(solution, cell.source)
    return notebook


def chapter_notebooks(source: Path, student: bool) -> dict:
    """Each chapter as the edition's notebook, outputs cleared (as the published ones are)."""
    from tools.student import student_edition

    notebooks = {}
    for page in sorted(filter(student_edition.is_chapter, (source / "book").glob("*.md"))):
        notebooks[page.with_suffix(".ipynb").name] = jupytext.read(page)
    if student:  # the student sources hold each chapter as its student notebook
        for path in sorted((source / "book").glob("*.ipynb")):
            if student_edition.is_chapter(path):
                notebooks[path.name] = nbformat.read(path, as_version=4)
    for notebook in notebooks.values():
        notebook.metadata.pop("jupytext", None)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
    return notebooks


def write_notebooks(source: Path, output: Path, student: bool) -> list[Path]:
    from tools.grading import release
    from tools.student import plain_notebook, publish, student_edition

    settings = publish.settings(source)
    settings["title"] = settings["title"].removesuffix(" (student edition)")
    notebooks = chapter_notebooks(source, student)
    if not student:
        notebooks = {name: solutions_as_text(nb) for name, nb in notebooks.items()}
    else:  # the published notebook's answer cells (tools/grading/release.py)
        mixed = release.mixed_labels(source)
        notebooks = {name: release.answer_cells(nb, mixed) for name, nb in notebooks.items()}
    others = [p for p in (source / "book").glob("*.md") if not student_edition.is_chapter(p)]
    pages = {f"{settings['site']}book/{p.stem}.html": p.read_text() for p in others}
    book = plain_notebook.Book(notebooks, source / "references.bib", pages)
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for name, notebook in notebooks.items():
        plain = plain_notebook.convert(notebook, name, book, source / "book")
        plain = publish.header(plain, name, settings) if student else plain
        student_edition.number_cells(plain)
        nbformat.write(plain, output / name)
        written.append(output / name)
    return written


def mend_download_menu(app, pagename, templatename, context, doctree):
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            point_at_plain_notebook(group, pagename, context)
            edition = "student" if is_student(app) else "instructor"
            group["buttons"].append(
                {
                    "type": "link",
                    "url": context["pathto"](PDF[edition], 1),
                    "text": "Book (PDF)",
                    "tooltip": "Download the whole book as a PDF",
                    "icon": "fas fa-book",
                    "label": "download-book-pdf-button",
                }
            )


def point_at_plain_notebook(group, pagename, context) -> None:
    match = CHAPTER.search(pagename)
    if not match:
        return
    url = context["pathto"](f"{FOLDER}/{match[1]}.ipynb", 1)
    for button in group["buttons"]:
        # A page built from a .md has a notebook entry; one built from a .ipynb (the student
        # site's chapters) offers that MyST notebook as its "source" instead.
        notebook = button.get("label") == "download-notebook-button"
        source = button.get("label") == "download-source-button"
        if notebook or (source and button.get("text") == ".ipynb"):
            button.update(
                url=url,
                label="download-notebook-button",
                icon="fas fa-code",
                tooltip="Download the notebook (plain Jupyter, as Colab opens it)",
            )


def build_notebooks(app, exception):
    if exception is None and app.builder.format == "html":
        write_notebooks(Path(app.srcdir), Path(app.outdir) / FOLDER, is_student(app))


def setup(app):
    # after sphinx-book-theme's add_header_buttons (priority 501) has built the group
    app.connect("html-page-context", mend_download_menu, priority=502)
    app.connect("build-finished", build_notebooks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
