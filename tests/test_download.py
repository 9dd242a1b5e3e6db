"""The download menu's ".ipynb": fetched over HTTP as its link gives it, it is the plain notebook
(no MyST), the student one on the student site (tools/sphinx/download.py)."""

import urllib.request
from urllib.parse import urljoin

import nbformat
import pytest
from bs4 import BeautifulSoup

from helpers import HTML, ROOT, chapters, serve_folder
from test_publish import MYST, markdown

pytestmark = pytest.mark.book  # needs the built book or builds one: not in the fast loop

STUDENT = ROOT / "_build" / "student" / "_build" / "html"
PUBLISHED = ROOT / "_build" / "publish" / "book"


def download_link(site, chapter: str) -> str:
    page = BeautifulSoup((site / f"{chapter}.html").read_text(), "html.parser")
    links = page.find_all("a", href=True, class_="btn-download-notebook-button")
    assert len(links) == 1, f"{chapter}: {len(links)} .ipynb download entries"
    return links[0]["href"]


def downloaded(site, chapter: str):
    with serve_folder(site) as url:
        page = f"{url}/{chapter}.html"
        with urllib.request.urlopen(urljoin(page, download_link(site, chapter))) as answer:
            return nbformat.reads(answer.read().decode(), as_version=4)


def myst_in(notebook) -> list[str]:
    return [match.group(0) for match in MYST.finditer(markdown(notebook))]


def site(edition: str):
    folder = HTML if edition == "instructor" else STUDENT
    if not (folder / "index.html").exists():
        pytest.skip(f"no {edition} site in {folder}: make test builds both")
    return folder


@pytest.mark.parametrize("chapter", chapters())
def test_instructor_download_is_the_plain_notebook_with_solutions(chapter):
    notebook = downloaded(site("instructor"), chapter)
    assert myst_in(notebook) == []
    assert "**Solution**" in markdown(notebook), "the instructor edition keeps its solutions"
    assert "_sources" not in download_link(site("instructor"), chapter)


@pytest.mark.parametrize("chapter", chapters())
def test_student_download_is_the_published_notebook(chapter):
    notebook = downloaded(site("student"), chapter)
    assert myst_in(notebook) == []
    assert "**Solution**" not in markdown(notebook)
    assert "colab.research.google.com" in notebook.cells[0].source  # the published header
    published = PUBLISHED / f"{chapter.split('/')[1]}.ipynb"
    if published.exists():  # make publish runs after the student site
        expected = nbformat.read(published, as_version=4)
        assert [c.source for c in notebook.cells] == [c.source for c in expected.cells]


def test_the_theme_alone_would_serve_myst():
    """The positive control: what the button linked to before, `_sources/`, holds MyST."""
    source = site("instructor") / "_sources" / "book" / "02-softmax.ipynb"
    if not source.exists():
        pytest.skip("this build has no _sources notebook")
    assert myst_in(nbformat.read(source, as_version=4))
