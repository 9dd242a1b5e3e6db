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
    from sphinx_mathjax import COMPONENT, ON_DEMAND

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


def test_bibliography_lists_every_reference(html_dir):
    keys = re.findall(r"^@\w+\{([^,]+),", (ROOT / "references.bib").read_text(), re.M)
    text = page(html_dir, "book/bibliography").text
    assert text.count('role="doc-biblioentry"') == len(keys), "an entry is never cited"
