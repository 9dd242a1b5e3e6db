"""The built HTML book: every page there, nothing from a CDN, math local, launch buttons right."""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from helpers import ROOT, chapters, pages

pytestmark = pytest.mark.book  # needs the built book or builds one: not in the fast loop


class Page:
    """A built page: what it loads and links to, parsed with BeautifulSoup."""

    def __init__(self, path: Path):
        self.text = path.read_text()
        soup = BeautifulSoup(self.text, "html.parser")
        fetched = soup.find_all(["script", "img", "iframe", "source"], src=True)
        styles = soup.find_all("link", href=True)
        # URLs the browser fetches on its own
        self.loads = [tag["src"] for tag in fetched] + [
            tag["href"] for tag in styles if "canonical" not in tag.get("rel", [])
        ]
        self.links = [tag["href"] for tag in soup.find_all("a", href=True)]
        self.images = [tag.attrs for tag in soup.find_all("img")]


def page(html_dir, name) -> Page:
    return Page(html_dir / f"{name}.html")


@pytest.mark.parametrize("name", pages())
def test_page_loads_nothing_from_outside(html_dir, name):
    remote = [url for url in page(html_dir, name).loads if re.match(r"(https?:)?//", url)]
    assert remote == []


@pytest.mark.parametrize("name", pages())
def test_every_local_asset_exists(html_dir, name):
    here = (html_dir / name).parent
    for url in page(html_dir, name).loads:
        if url.startswith("data:"):
            continue
        target = (here / url.split("?")[0].split("#")[0]).resolve()
        assert target.exists(), f"{name} loads missing {url}"


@pytest.mark.parametrize("name", pages())
def test_footer_says_how_the_page_was_built(html_dir, name):
    import torch

    text = page(html_dir, name).text
    assert 'class="dlbook-buildinfo"' in text
    assert f"torch {torch.__version__.split('+')[0]}" in text
    assert "DLBOOK_MODEL=" in text


@pytest.mark.parametrize("name", pages())
def test_our_accessibility_stylesheet_and_no_script_of_ours(html_dir, name):
    """tools/sphinx/a11y.py adds one stylesheet after the theme's; no `_static/` folder at the
    root, whose every script Jupyter Book 1 would inject into every page."""
    from tools.sphinx.a11y import STYLESHEET

    loads = [url.split("?")[0] for url in page(html_dir, name).loads]
    ours = [url for url in loads if url.endswith(STYLESHEET)]
    assert len(ours) == 1 and loads.index(ours[0]) > max(
        i for i, url in enumerate(loads) if "sphinx-book-theme" in url
    )
    assert not (ROOT / "_static").exists()


def test_mathjax_is_served_locally(html_dir):
    name = chapters()[0]
    scripts = page(html_dir, name).loads
    mathjax = [url.split("?")[0] for url in scripts if "mathjax" in url.lower()]
    assert mathjax == ["../_static/mathjax/tex-chtml.js"]
    fonts = html_dir / "_static/mathjax/output/chtml/fonts/woff-v2"
    assert len(list(fonts.glob("*.woff"))) > 10, "CHTML output needs its fonts next to it"
    assert 'class="math' in page(html_dir, name).text
    # Only the component the pages load and what it fetches on demand (the browser test
    # fails on any request that goes unanswered): not MathJax's other 14 MB.
    from tools.sphinx.mathjax import COMPONENT, ON_DEMAND

    served = {path.name for path in (html_dir / "_static/mathjax").iterdir()}
    assert served == {COMPONENT, *ON_DEMAND}


@pytest.mark.parametrize("name", chapters())
def test_launch_buttons_open_the_paired_notebook(html_dir, name, config):
    repository = config["repository"]["url"].removeprefix("https://github.com/")
    branch = config["repository"]["branch"]
    links = page(html_dir, name).links
    colab = f"https://colab.research.google.com/github/{repository}/blob/{branch}/{name}.ipynb"
    binder = f"https://mybinder.org/v2/gh/{repository}/{branch}?urlpath=tree/{name}.ipynb"
    assert colab in links
    assert binder in links
    assert (ROOT / f"{name}.ipynb").exists()


@pytest.mark.parametrize("name", chapters())
def test_figures_have_alt_text(html_dir, name):
    images = [img for img in page(html_dir, name).images if "_images/" in img["src"]]
    for img in images:
        assert len(img.get("alt", "").strip()) > 20, img["src"]


def test_chapter_1_shows_the_difference_table(html_dir):
    text = page(html_dir, "book/01-power-rule").text
    assert "max|Δ| ≤ 1e-5" in text
    rows = re.findall(r"^ [1-5]  .*(True|False)$", text, flags=re.M)
    assert rows == ["True"] * 5


def test_bibliography_lists_every_reference_by_author(html_dir):
    """One list item per work, sorted by author, without alphabetic labels: the chapters cite
    "(Author, Year)", and a screen reader hears a list (tools/sphinx/a11y.py)."""
    from pybtex.database import parse_file

    from tools.student.plain_notebook import plain

    entries = parse_file(str(ROOT / "references.bib")).entries.values()
    soup = BeautifulSoup(page(html_dir, "book/bibliography").text, "html.parser")
    items = [item.get_text(" ", strip=True) for item in soup.select("ul.bibliography > li[id]")]
    assert len(items) == len(entries), "an entry is never cited"
    assert not soup.select('[role="doc-biblioentry"], .citation-list, span.label')

    def first_author(entry) -> str:
        person = (entry.persons.get("author") or entry.persons["editor"])[0]
        return plain(" ".join(person.last_names))

    def position(entry) -> int:
        title = plain(entry.fields["title"]).lower()[:30]
        return next(i for i, text in enumerate(items) if title in text.lower())

    listed = sorted(entries, key=position)
    assert len({position(entry) for entry in entries}) == len(items)  # each found, once
    authors = [first_author(entry) for entry in listed]
    assert authors == sorted(authors, key=str.lower), authors
