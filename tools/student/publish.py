"""`make publish`: the public student repository's tree, in _build/publish.

    README.md LICENSE CITATION.cff pyproject.toml   what a new student reads and installs
    code/dlbook/                                   the package, with no exercise's answer
    book/NN-topic.ipynb                            the chapters as plain notebooks
    binder/ offline.env                            Python 3.11, CPU torch, offline settings
    docs/ docs/<tag>/                              the student site, for GitHub Pages (archive.py)

The notebooks come from the chapters' sources, solutions removed (student_edition.py) and
MyST resolved (plain_notebook.py); each gets a header with its Colab and Binder badges and a
link to its page, then the one setup cell that installs this semester's dlbook on Colab.
The repository and tag come from _config.yml's `course:` block.
"""

import re
import shutil
import sys
from pathlib import Path

import nbformat

from tools import settings as tools_settings
from tools.grading import release
from tools.pdf import build_pdf
from tools.student import archive, notebook_a11y, plain_notebook, student_edition

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "_build" / "publish"
SITE = ROOT / "_build" / "student" / "_build" / "html"
PDF = build_pdf.NAMES["student"]
COLAB = "https://colab.research.google.com/github/{slug}/blob/{tag}/book/{name}"
BINDER = "https://mybinder.org/v2/gh/{slug}/{tag}?urlpath=lab/tree/book/{name}"
BADGES = (
    "[![Open in Colab](https://colab.research.google.com/assets/colab-badge.svg)]({colab}) "
    "[![Launch Binder](https://mybinder.org/badge_logo.svg)]({binder})"
)
SETUP = """\
# Colab: install this semester's dlbook (Colab's own torch is kept).
# On Binder and your own machine it is installed: this cell does nothing.
import sys

if "google.colab" in sys.modules:
    %pip install -q "dlbook{extra} @ git+{repository}@{tag}"
    import dlbook  # %pip never fails the cell: a failed install stops here
"""
GPU_NOTE = (
    "\n\nOn Colab, this chapter asks for a GPU runtime (*Runtime → Change runtime type*): it "
    "downloads Stable Diffusion v1-4's real weights. If the Hugging Face Hub asks for a token, "
    "add one as the secret `HF_TOKEN` (the key icon in Colab's sidebar) and allow this "
    "notebook to read it. On Binder it runs on a CPU with random weights, and says so."
)


def settings(root: Path = ROOT) -> dict[str, str]:
    """What the templates below are filled with, from _config.yml's course settings."""
    try:
        course = tools_settings.course(root)
    except tools_settings.SettingsError as error:
        sys.exit(f"publish: {error}")
    return {
        "title": course.title,
        "semester": course.semester,
        "repository": course.student_repository,
        "slug": course.student_slug,
        "tag": course.student_tag,
        "site": course.student_site,
    }


def runs_the_model(notebook) -> bool:
    return any("load_model(" in c.source for c in notebook.cells if c.cell_type == "code")


def header(notebook, name: str, s: dict[str, str]):
    """The badges and page link, and the setup cell, as the notebook's first two cells."""
    links = {k: url.format(name=name, **s) for k, url in (("colab", COLAB), ("binder", BINDER))}
    page = f"{s['site']}book/{Path(name).with_suffix('.html')}"
    text = BADGES.format(**links) + (
        f"\n\n*{s['title']}*, student edition ({s['semester']}). "
        f"This chapter online, with its figures: <{page}>"
    )
    gpu = runs_the_model(notebook)
    extra = "[diffusion]" if gpu else ""
    cells = [
        nbformat.v4.new_markdown_cell(text + (GPU_NOTE if gpu else "")),
        nbformat.v4.new_code_cell(SETUP.format(extra=extra, **s).rstrip()),
    ]
    notebook.cells[:0] = cells
    student_edition.number_cells(notebook)
    notebook.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "colab": {"provenance": [], **({"gpuType": "T4"} if gpu else {})},
        **({"accelerator": "GPU"} if gpu else {}),
    }
    return notebook


def chapter_notebooks(root: Path = ROOT) -> dict[str, nbformat.NotebookNode]:
    """Each chapter's student notebook, keyed by its file name, with the outputs the site
    shows (the instructor build's, less those of answers and self-checks): a student on GitHub
    or Colab sees the figures and numbers the text talks about before running anything."""
    cache = root / "_build" / ".jupyter_cache"
    notebooks, mixed = {}, release.mixed_labels(root)
    for page in sorted(filter(student_edition.is_chapter, (root / "book").glob("*.md"))):
        executed = student_edition.executed_chapter(page, cache)
        notebook = student_edition.student_notebook(executed, page.name)
        notebook = release.answer_cells(notebook, mixed)  # answer cells for graded prose
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.execution_count = None  # not run by the student yet
                for output in cell.outputs:
                    if "execution_count" in output:  # execute_result: nbformat wants the key
                        output["execution_count"] = None
                if "remove-output" in cell.metadata.get("tags", []):
                    cell.outputs = []  # as on the site: a widget needs a live kernel
        notebooks[page.with_suffix(".ipynb").name] = notebook
    return notebooks


def published_notebooks(root: Path = ROOT, notebooks: dict | None = None) -> dict:
    """Each chapter's notebook as the student repository publishes it: `make assignments`
    releases these too (tools/grading), so students get one notebook per chapter."""
    s = settings(root)
    notebooks = chapter_notebooks(root) if notebooks is None else notebooks
    others = [p for p in (root / "book").glob("*.md") if not student_edition.is_chapter(p)]
    pages = {f"{s['site']}book/{p.stem}.html": p.read_text() for p in others}
    book = plain_notebook.Book(notebooks, root / "references.bib", pages)
    published = {}
    for name, notebook in notebooks.items():
        plain = header(plain_notebook.convert(notebook, name, book, root / "book"), name, s)
        if problems := notebook_a11y.problems(plain, name):  # alt text, heading order
            sys.exit("publish: a notebook a screen reader cannot follow:\n" + "\n".join(problems))
        published[name] = plain
    return published


def write_tree(output: Path = OUTPUT, root: Path = ROOT, site: Path = SITE) -> Path:
    if not (site / "index.html").exists():
        sys.exit(f"publish: no student site in {site}: run `make student` first")
    if not (site / PDF).exists():  # the README links it; make pdf puts it beside index.html
        sys.exit(f"publish: no {PDF} in {site}: run `make pdf` first")
    s = settings(root)
    shutil.rmtree(output, ignore_errors=True)
    (output / "book").mkdir(parents=True)
    notebooks = chapter_notebooks(root)
    table = "\n".join(
        f"| {name[:-6]} | [Colab]({COLAB.format(name=name, **s)}) "
        f"| [Binder]({BINDER.format(name=name, **s)}) |"
        for name in notebooks
    )
    readme = (root / "tools" / "student" / "student_readme.md").read_text()
    python = tools_settings.python_version()
    (output / "README.md").write_text(readme.format(table=table, python=python, **s))
    shutil.copy(root / "LICENSE", output / "LICENSE")
    shutil.copy(root / "offline.env", output / "offline.env")  # binder/start reads it
    citation = (root / "CITATION.cff").read_text()
    citation = re.sub(r"(?m)^repository-code: .*$", f"repository-code: {s['repository']}", citation)
    (output / "CITATION.cff").write_text(citation)
    shutil.copy(root / "pyproject.toml", output / "pyproject.toml")
    ignore = shutil.ignore_patterns(*tools_settings.GENERATED)
    shutil.copytree(root / "code" / "dlbook", output / "code" / "dlbook", ignore=ignore)
    shutil.copytree(root / "binder", output / "binder")
    for name, plain in published_notebooks(root, notebooks).items():
        nbformat.write(plain, output / "book" / name)
    try:  # the site at the root and at /<tag>/
        archive.lay_out(site, output / "docs", s["tag"])
    except archive.ArchiveError as error:
        sys.exit(f"publish: {error}")
    (output / "docs" / ".nojekyll").touch()  # serve _static/ and _images/ as they are
    return output


if __name__ == "__main__":
    tree = write_tree()
    size = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file())
    print(f"publish: wrote {tree.relative_to(ROOT)} ({size / 1e6:.1f} MB)")
