"""Every link of a built site resolves: the files its pages link to and load exist, and so do
the anchors they point at. (Used by test_archive.py on the student repository's docs/.)"""

from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

ATTRIBUTES = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src",
              "iframe": "src"}  # fmt: skip


@cache
def parsed(path: Path) -> tuple[list[str], set[str]]:
    """A page's links and the anchors it offers (ids and names)."""
    soup = BeautifulSoup(path.read_text(), "html.parser")
    links = [
        tag[key] for name, key in ATTRIBUTES.items() for tag in soup.find_all(name) if tag.get(key)
    ]
    anchors = {tag["id"] for tag in soup.find_all(id=True)}
    return links, anchors | {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}


def target(page: Path, link: str, root: Path, site: str) -> tuple[Path, str] | None:
    """The file and anchor `link` on `page` points at; None for a link outside the site."""
    if link.startswith(site):  # the site's own address (the version switcher's entries)
        link = "/" + link.removeprefix(site)
        base = root
    else:
        base = page.parent
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return None  # another site: Colab, Binder, GitHub, the bibliography's DOIs
    path = unquote(parts.path)
    if not path:
        return page, parts.fragment
    file = (root / path.lstrip("/")) if path.startswith("/") else (base / path)
    if path.endswith("/"):
        file = file / "index.html"
    return file.resolve(), parts.fragment


def broken_links(root: Path, site: str) -> list[str]:
    """Every link of every page under `root` that points at nothing; `site` is the address
    `root` is served at (absolute links into it count as the site's own). The themes' `_static/`
    holds Jinja macro files named .html, which no page links to: they are not pages."""
    broken = []
    for page in sorted(p for p in root.rglob("*.html") if "_static" not in p.parts):
        for link in parsed(page)[0]:
            found = target(page, link, root, site)
            if found is None:
                continue
            file, fragment = found
            where = f"{page.relative_to(root)}: {link}"
            if not file.is_file():
                broken.append(f"{where} (no file)")
            elif fragment and file.suffix == ".html" and fragment not in parsed(file)[1]:
                broken.append(f"{where} (no anchor #{fragment})")
    return broken
