"""Each chapter's fingerprint covers what it reads, and only that: a change re-executes the
chapters it can change (tools/book/chapter_inputs.py, build_book.forget_stale_outputs)."""

import json
import shutil
from pathlib import Path

import jupytext
import nbformat
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn

from helpers import ROOT
from tools.book import build_book, chapter_inputs

OFFLINE = "model: random-small on cpu float32; images: offline samples"
SEMESTER = "model: CompVis/stable-diffusion-v1-4 on cpu float32; images: coco_humans"
HEADER = (
    "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
    "kernelspec:\n  name: python3\n  display_name: Python 3\n  language: python\n---\n"
)


def page(imports: str, prose: str = "Some prose.") -> str:
    cell = f"```{{code-cell}} ipython3\n---\ntags: [x]\n---\n%matplotlib inline\n{imports}\n```\n"
    return f"{HEADER}# A page\n\n{prose}\n\n{cell}"


def make_root(path: Path) -> Path:
    """A book of four chapters over a small package: one reads `alpha`, two reads `beta` (which
    imports `gamma`, relatively), three reads `models` (which names its assets/ folder and
    imports `device`, which names DLBOOK_DEVICE), four reads `data` (DLBOOK_IMAGES)."""
    package = path / "code" / "dlbook"
    (package / "assets").mkdir(parents=True)
    (path / "book").mkdir()
    files = {
        "code/dlbook/__init__.py": '"""The package."""\n',
        "code/dlbook/alpha.py": "ORDER = 1\n",
        "code/dlbook/beta.py": "from . import gamma\n",
        "code/dlbook/gamma.py": "STEP = 1\n",
        "code/dlbook/models.py": 'from . import device\nW = ("assets", "w.bin")\n',
        "code/dlbook/device.py": '"""DLBOOK_DEVICE chooses."""\n',
        "code/dlbook/data.py": 'SETTING = "DLBOOK_IMAGES"\n',
        "code/dlbook/assets/w.bin": "weights",
        "code/ruff.toml": "line-length = 80\n",
        "requirements.txt": "torch==2.14.1\n",
        "pyproject.toml": "[project]\nname = 'dlbook'\n",
        "book/01-one.md": page("from dlbook.alpha import ORDER"),
        "book/02-two.md": page("from dlbook import beta"),
        "book/03-three.md": page("import dlbook.models"),
        "book/04-four.md": page("from dlbook import (\n    data,\n)"),
        "book/index.md": "# Front page, no code\n",
    }
    for name, text in files.items():
        (path / name).write_text(text)
    return path


def moved(root: Path, change, settings: str = OFFLINE, after: str | None = None) -> list[str]:
    before = chapter_inputs.fingerprints(root, settings=settings)
    change(root)
    now = chapter_inputs.fingerprints(root, settings=after or settings)
    return sorted(chapter.split("-", 1)[1] for chapter in now if now[chapter] != before[chapter])


def write(name: str, text: str):
    return lambda root: (root / name).write_text(text)


def test_a_change_moves_the_fingerprints_of_the_chapters_that_read_it(tmp_path):
    root = make_root(tmp_path)
    assert chapter_inputs.chapters(root) == [f"book/0{n}" for n in ("1-one", "2-two", "3-three",
                                                                     "4-four")]  # fmt: skip
    assert moved(root, lambda root: None) == []
    assert moved(root, write("code/dlbook/alpha.py", "ORDER = 2\n")) == ["one"]
    assert moved(root, write("code/dlbook/gamma.py", "STEP = 2\n")) == ["two"]  # transitively
    assert moved(root, write("code/dlbook/assets/w.bin", "other")) == ["three"]
    # prose moves nothing: Jupyter Book's cache keys on the cells themselves
    prose = page("from dlbook.alpha import ORDER", "New prose.")
    assert moved(root, write("book/01-one.md", prose)) == []
    every = ["four", "one", "three", "two"]
    assert moved(root, write("code/dlbook/__init__.py", '"""Other."""\n')) == every
    assert moved(root, write("requirements.txt", "torch==2.14.0\n")) == every
    assert moved(root, write("pyproject.toml", "[project]\nname = 'other'\n")) == every
    assert moved(root, write("code/ruff.toml", "line-length = 88\n")) == every
    # what tools leave in code/ (ruff's cache after make lint) is read by no chapter
    (root / "code" / ".ruff_cache").mkdir()
    assert moved(root, write("code/.ruff_cache/CACHEDIR.TAG", "Signature")) == []
    # a module imported from now on joins the chapter's closure
    assert moved(root, write("code/dlbook/alpha.py", "from dlbook import gamma\n")) == ["one"]
    assert moved(root, write("code/dlbook/gamma.py", "STEP = 3\n")) == ["one", "two"]


def test_a_setting_moves_only_the_chapters_that_load_the_model_or_the_images(tmp_path):
    root = make_root(tmp_path)
    nothing = lambda root: None  # noqa: E731
    full = OFFLINE.replace("small", "full")
    assert moved(root, nothing, after=full) == ["three"]  # four reads the images alone
    images = OFFLINE.replace("offline samples", "coco_humans")
    assert moved(root, nothing, after=images) == ["four"]


def test_the_semester_settings_re_execute_chapters_4_to_6_of_this_book():
    """The GPU runner and the rehearsal: a new model id must not execute chapter 1 again."""
    offline = chapter_inputs.fingerprints(settings=OFFLINE)
    semester = chapter_inputs.fingerprints(settings=SEMESTER)
    assert list(offline) == chapter_inputs.chapters()
    assert len(offline) == 6
    assert [c for c in offline if offline[c] != semester[c]] == list(offline)[3:]


def test_a_module_of_this_book_re_executes_the_chapters_that_import_it(tmp_path):
    for name in ("code", "book"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("*.ipynb"))
    for name in chapter_inputs.ENVIRONMENT:
        shutil.copy(ROOT / name, tmp_path)
    calculus = tmp_path / "code" / "dlbook" / "calculus.py"
    changed = moved(tmp_path, lambda root: calculus.write_text(calculus.read_text() + "\n# x\n"))
    assert changed == ["losses", "power-rule"]  # chapter 3 imports calculus, and so does 1
    assert moved(tmp_path, write("code/dlbook/assets/new.txt", "x")) == [
        "diffusion", "pipeline", "safety"
    ]  # fmt: skip


def cache_chapter(cache, root: Path, chapter: str) -> None:
    notebook = jupytext.read(root / f"{chapter}.md")
    cache.cache_notebook_bundle(CacheBundleIn(notebook, uri=chapter), check_validity=False)


def test_stale_chapters_lose_their_cached_outputs_and_doctrees_only(tmp_path):
    root = make_root(tmp_path / "root")
    build_dir = tmp_path / "_build"
    current = chapter_inputs.fingerprints(root, settings=OFFLINE)
    cache = get_cache(build_dir / ".jupyter_cache")
    for chapter in current:
        cache_chapter(cache, root, chapter)
        doctree = build_dir / ".doctrees" / f"{chapter}.doctree"
        doctree.parent.mkdir(parents=True, exist_ok=True)
        doctree.write_text("pickled")
    (build_dir / "jupyter_execute").mkdir()
    # and chapter 2 as it was before a change of its cells: put back, they would match this
    earlier = jupytext.read(root / "book/02-two.md")
    earlier.cells.append(nbformat.v4.new_code_cell("print('an earlier cell')"))
    cache.cache_notebook_bundle(CacheBundleIn(earlier, uri="book/02-two"), check_validity=False)
    stamp = build_dir / ".inputs-fingerprint"
    stamp.write_text(build_book.stamp_text(current))
    assert build_book.forget_stale_outputs(build_dir, current) == []
    assert len(cache.list_cache_records()) == 5

    write("code/dlbook/gamma.py", "STEP = 2\n")(root)
    now = chapter_inputs.fingerprints(root, settings=OFFLINE)
    assert build_book.forget_stale_outputs(build_dir, now) == ["book/02-two"]
    assert sorted(r.uri for r in cache.list_cache_records()) == [
        "book/01-one", "book/03-three", "book/04-four"
    ]  # fmt: skip
    assert sorted(p.stem for p in (build_dir / ".doctrees" / "book").iterdir()) == [
        "01-one", "03-three", "04-four"
    ]  # fmt: skip
    # until a build vouches for it, the chapter stays stale: a failed build leaves it so
    assert "book/02-two" not in json.loads(stamp.read_text())
    assert build_book.forget_stale_outputs(build_dir, now) == ["book/02-two"]


def test_a_stamp_of_the_old_form_drops_every_output(tmp_path):
    build_dir = tmp_path / "_build"
    for folder in (".jupyter_cache", ".doctrees", "jupyter_execute", "html"):
        (build_dir / folder).mkdir(parents=True)
    (build_dir / ".inputs-fingerprint").write_text("0123abcd")  # one hash for the whole book
    current = {"book/01-one": "a"}
    assert build_book.forget_stale_outputs(build_dir, current) == ["all"]
    assert sorted(p.name for p in build_dir.iterdir()) == ["html"]
