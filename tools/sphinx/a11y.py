"""Sphinx extension: our fixes to the theme for WCAG 2.1 AA (tests/test_accessibility.py).

- theme/static/dlbook-a11y.css, added to every page after the theme's own: link colours at 4.5:1 on
  every box, reflow at 320 px. It lives here, not in a `_static/` folder at the book's root:
  Jupyter Book 1 injects every script it finds there into every page.
- theme/templates/dlbook-logo.html: the sidebar's title link inside a landmark.
- The bibliography as a plain list, sorted by author, without the alphabetic labels ([HS22])
  that the chapters' author-year citations never show: docutils writes citations as
  `<div role="list">` of `<div role="doc-biblioentry">` (a deprecated role, and no list items).
"""

import codecs
import unicodedata
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "ulatex" codec for BibTeX's accents)
from docutils import nodes
from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as Plain
from pybtex.style.sorting import BaseSortingStyle
from sphinx.transforms.post_transforms import SphinxPostTransform

HERE = Path(__file__).parent / "theme"
STYLESHEET = "dlbook-a11y.css"
# sphinx-book-theme's sidebar (its theme.conf), the title link wrapped in a landmark.
SIDEBAR = ["dlbook-logo.html", "icon-links.html", "search-button-field.html",
           "sbt-sidebar-nav.html"]  # fmt: skip


def sort_name(text: str) -> str:
    """A BibTeX name as a reader alphabetises it: no braces, accents or case."""
    text = codecs.decode(text, "ulatex").replace("{", "").replace("}", "")
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c)).lower()


class FirstAuthorYear(BaseSortingStyle):
    """By the first author's last name, then the others', then the year: as a reader looks
    up "(Ho and Salimans, 2022)". (pybtex's own sorts put a corporate author such as
    {CS 7150 course staff} after everyone else.)"""

    def sorting_key(self, entry):
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [" ".join(p.last_names + p.first_names + p.middle_names) for p in people]
        return [sort_name(name) for name in names], entry.fields.get("year", "")


class ByAuthor(Plain):
    """pybtex's plain entries, in FirstAuthorYear's order."""

    default_sorting_style = "dlbook-first-author-year"


class CitationsAsList(SphinxPostTransform):
    """Each run of citations (a bibliography) becomes a bullet list; every entry keeps its id,
    so the chapters' citations still link to it."""

    default_priority = 6  # after sphinxcontrib-bibtex fills the bibliography in (5)

    def run(self, **kwargs) -> None:
        for citation in list(self.document.findall(nodes.citation)):
            if citation.parent is None:  # already moved into a list
                continue
            previous = citation.previous_sibling()
            if isinstance(previous, nodes.bullet_list) and "bibliography" in previous["classes"]:
                entries = previous
                citation.parent.remove(citation)
            else:
                entries = nodes.bullet_list(classes=["bibliography"])
                citation.parent.replace(citation, entries)  # replace_self would copy its id
            body = [child for child in citation.children if not isinstance(child, nodes.label)]
            entries += nodes.list_item("", *body, ids=citation["ids"])


def configure(app, config) -> None:
    config.html_static_path = [*config.html_static_path, str(HERE / "static")]
    config.templates_path = [*config.templates_path, str(HERE / "templates")]
    if not config.html_sidebars:
        config.html_sidebars = {"**": SIDEBAR}


def setup(app):
    register_plugin("pybtex.style.sorting", "dlbook-first-author-year", FirstAuthorYear)
    register_plugin("pybtex.style.formatting", "dlbook-by-author", ByAuthor)
    app.connect("config-inited", configure)
    app.add_post_transform(CitationsAsList)
    app.add_css_file(STYLESHEET)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
