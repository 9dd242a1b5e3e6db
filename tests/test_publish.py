"""The public student repository's tree (`make publish`): complete, plain Jupyter, linked both
ways, pointing at this semester's tag. (test_student_notebooks.py runs its notebooks;
test_editions.py checks that no solution is anywhere in it.)"""

import re
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

from helpers import ROOT, chapters
from tools import settings

pytestmark = pytest.mark.book  # needs the built book or builds one: not in the fast loop

TREE = ROOT / "_build" / "publish"
# MyST that plain Jupyter shows as raw text: directives, roles, targets, equation labels.
MYST = re.compile(
    r"^\s*(```|:::)\s*\{|\{[a-z][\w:-]*\}`|^\([\w-]+\)=\s*$|\$\$\s*\([\w-]+\)|^:(label|class|"
    r"pyobject|tags):",
    re.M,
)


@pytest.fixture(scope="module")
def tree():
    if not (TREE / "pyproject.toml").exists():
        pytest.skip("no published tree in _build/publish: run `make publish` (make test does)")
    return TREE


def published(tree, chapter: str):
    return nbformat.read(tree / f"{chapter}.ipynb", as_version=4)


def markdown(notebook) -> str:
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


def test_tree_holds_a_student_repository_and_nothing_more(tree):
    top = {path.name for path in tree.iterdir()}
    assert top == {"README.md", "LICENSE", "CITATION.cff", "pyproject.toml", "code", "book",
                   "binder", "offline.env", "docs"}  # fmt: skip
    assert {p.name for p in (tree / "book").iterdir()} == {
        f"{c.split('/')[1]}.ipynb" for c in chapters()
    }
    assert {p.name for p in (tree / "binder").iterdir()} == {
        "runtime.txt",
        "requirements.txt",
        "start",
    }
    assert (tree / "docs" / "index.html").exists() and (tree / "docs" / ".nojekyll").exists()
    assert (tree / "code" / "dlbook" / "__init__.py").exists()
    assert not list(tree.rglob("__pycache__")) and not list(tree.rglob("*.egg-info"))
    readme = (tree / "README.md").read_text()
    assert "{" not in readme.replace("```", ""), "an unfilled template field in the README"
    assert "CC BY 4.0" in (tree / "LICENSE").read_text() and "MIT" in (tree / "LICENSE").read_text()


@pytest.mark.parametrize("chapter", chapters())
def test_notebook_has_no_myst_left(tree, chapter):
    text = markdown(published(tree, chapter))
    found = [match.group(0) for match in MYST.finditer(text)]
    assert found == [], f"{chapter}: MyST-only syntax in the published notebook: {found[:5]}"


@pytest.mark.parametrize("chapter", chapters())
def test_every_function_the_page_shows_is_in_the_notebook(tree, chapter):
    source = (ROOT / f"{chapter}.md").read_text()
    shown = re.findall(r"^:pyobject:\s*(\w+)", source, re.M)
    text = markdown(published(tree, chapter))
    missing = [
        name for name in shown if not re.search(rf"```python\n(@.*\n)*(def|class) {name}\b", text)
    ]
    assert shown and not missing, f"{chapter}: {missing} shown on the page, not in the notebook"


@pytest.mark.parametrize("chapter", chapters())
def test_citations_equations_and_exercises_become_text(tree, chapter):
    source = (ROOT / f"{chapter}.md").read_text()
    text = markdown(published(tree, chapter))
    keys = {k.strip() for group in re.findall(r"\{cite:[pt]\}`([^`]*)`", source)
            for k in group.split(",")}  # fmt: skip
    references = text.split("## References\n", 1)[1] if keys else ""
    assert len(re.findall(r"^- ", references, re.M)) == len(keys), f"{chapter}: reference list"
    labelled = len(re.findall(r"^\$\$[ \t]*\([\w-]+\)", source, re.M))
    assert text.count("\\tag{") == labelled
    exercises = source.count(":::{exercise}")
    assert len(re.findall(r"^\*\*Exercise \d+\.\d+: ", text, re.M)) == exercises > 0


@pytest.mark.parametrize("chapter", chapters())
def test_numbers_are_the_sites(tree, chapter):
    """Equations, figures and exercises carry the numbers the student site gives them, per
    chapter (5.3), so "see (5.3)" means one thing in the notebook and on the page."""
    page = (tree / "docs" / f"{chapter}.html").read_text()
    text = markdown(published(tree, chapter))
    number = int(chapter.split("/")[1][:2])
    site = {
        "equations": re.findall(r'class="eqno">\(([\d.]+)\)', page),
        "figures": re.findall(r'class="caption-number">Fig\. ([\d.]+)', page),
        "exercises": sorted(set(re.findall(r"Exercise (\d+\.\d+)", page)), key=_key),
        "title": re.findall(r'<h1>.*?section-number">(\d+)\. ', page)[:1],
    }
    notebook = {
        "equations": re.findall(r"\\tag\{([\d.]+)\}", text),
        "figures": re.findall(r"^\*\*Fig\. ([\d.]+)\*\* ", text, re.M),
        "exercises": re.findall(r"^\*\*Exercise (\d+\.\d+)", text, re.M),
        "title": re.findall(r"^# (\d+)\. ", text, re.M),
    }
    assert notebook == site, chapter
    assert site["title"] == [str(number)] and all(
        n.startswith(f"{number}.") for kind in ("equations", "figures", "exercises")
        for n in site[kind]
    )  # fmt: skip


def _key(number: str) -> tuple[int, ...]:
    return tuple(int(part) for part in number.split("."))


@pytest.mark.parametrize("chapter", chapters())
def test_header_badges_page_link_and_setup_cell(tree, chapter, config):
    course = config["course"]
    repository, tag = course["student_repository"], course["student_tag"]
    org, repo = repository.removeprefix("https://github.com/").split("/")
    name = chapter.split("/")[1]
    notebook = published(tree, chapter)
    badges, setup = notebook.cells[0], notebook.cells[1]
    colab = f"https://colab.research.google.com/github/{org}/{repo}/blob/{tag}/{chapter}.ipynb"
    assert colab in badges.source and f"mybinder.org/v2/gh/{org}/{repo}/{tag}" in badges.source
    page = f"https://{org}.github.io/{repo}/{chapter}.html"
    assert page in badges.source and (tree / "docs" / f"{chapter}.html").exists()
    assert setup.cell_type == "code" and '"google.colab" in sys.modules' in setup.source
    assert re.search(rf'^    %pip install -q "dlbook(\[diffusion\])? @ git\+{repository}@{tag}"$',
                     setup.source, re.M), setup.source  # fmt: skip
    # %pip never fails its cell: the import after it does, where pip's error is shown.
    assert setup.source.splitlines()[-1].startswith("    import dlbook"), setup.source
    # The page links to its notebook: the student site's launch button, at the same tag.
    assert colab in (tree / "docs" / f"{chapter}.html").read_text(), f"{name}: no launch button"


def test_chapters_that_run_the_model_ask_colab_for_a_gpu(tree):
    gpu = {c for c in chapters() if published(tree, c).metadata.get("accelerator") == "GPU"}
    assert gpu == {"book/04-pipeline", "book/05-diffusion", "book/06-safety"}
    for chapter in chapters():
        notebook = published(tree, chapter)
        assert notebook.metadata["kernelspec"]["name"] == "python3"
        assert ("HF_TOKEN" in notebook.cells[0].source) == (chapter in gpu)
        assert ("[diffusion]" in notebook.cells[1].source) == (chapter in gpu)


@pytest.mark.parametrize("chapter", chapters())
def test_notebooks_carry_the_sites_outputs_but_no_answers(tree, chapter):
    """What the site shows, the notebook shows before it is run (figures, printed numbers),
    within a size a student downloads without noticing; exercises and self-checks stay blank."""
    notebook = published(tree, chapter)
    code = [c for c in notebook.cells[2:] if c.cell_type == "code"]
    blank = [c for c in code if {"exercise", "self-check"} & set(c.metadata.get("tags", []))]
    assert blank and not any(c.outputs for c in blank), chapter
    assert any(c.outputs for c in code if c not in blank), chapter
    assert all(c.execution_count is None for c in code), "shown as not run yet"
    assert (tree / f"{chapter}.ipynb").stat().st_size < 1_000_000, "over 1 MB"


def test_the_published_site_is_the_student_site_unchanged(tree):
    """docs/ is a copy of the student site, file for file, and so is docs/<tag>/, this
    semester's edition kept at its tag (tools/student/archive.py), less the switcher's list,
    which only the root holds: every check of the student site (test_browser.py's axe-core and
    links) holds for the site students are sent to."""
    import filecmp

    site = ROOT / "_build" / "student" / "_build" / "html"
    tag = settings.course().student_tag
    docs = tree / "docs"
    files = {p.relative_to(site) for p in site.rglob("*") if p.is_file()}
    published = {p.relative_to(docs) for p in docs.rglob("*") if p.is_file()}
    at_root = {p for p in published if p.parts[0] != tag}
    at_tag = {p.relative_to(tag) for p in published - at_root}
    assert at_root - files == {Path(".nojekyll")} and files == at_root - {Path(".nojekyll")}
    assert at_tag == files - {Path("switcher.json")}
    assert all(filecmp.cmp(site / f, docs / f, shallow=False) for f in files)
    assert all(filecmp.cmp(site / f, docs / tag / f, shallow=False) for f in at_tag)


def test_the_package_holds_no_exercise_answer(tree):
    assert "squared_error_grad_z1" not in (tree / "code" / "dlbook" / "losses.py").read_text()


def test_set_repository_moves_every_link(tmp_path):
    """One command points launch buttons, badges, install cells and README at a new place."""
    import shutil

    from tools.student import publish
    from tools.student.set_repository import set_repository

    shutil.copy(ROOT / "_config.yml", tmp_path)
    set_repository(student="https://github.com/acme/dl-students", tag="spring-2027", root=tmp_path)
    config = yaml.safe_load((tmp_path / "_config.yml").read_text())
    assert config["course"]["student_repository"] == "https://github.com/acme/dl-students"
    assert config["course"]["student_tag"] == "spring-2027"
    assert config["repository"] == yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    settings = publish.settings(tmp_path)
    notebook = publish.header(jupytext.reads("x = 1\n", fmt="py:percent"), "01-x.ipynb", settings)
    assert "github/acme/dl-students/blob/spring-2027/book/01-x.ipynb" in notebook.cells[0].source
    assert "git+https://github.com/acme/dl-students@spring-2027" in notebook.cells[1].source
    assert settings["site"] == "https://acme.github.io/dl-students/"
