"""Sphinx extension: MathJax 3 served from the build, only the part the pages load.

sphinx-mathjax-offline ships MathJax's whole distribution (24 MB) and copies all of it into
every build. The pages load one combined component, tex-chtml.js, which fetches what else it
needs from the folders beside it: fonts (output/), TeX extensions (input/), the accessibility
tools and the menu's other renderer (a11y/, sre/, output/). The other combined components
(tex-svg.js, mml-chtml.js, ...: 14 MB) are never requested; they stay out of the site and out
of the student repository, which every Colab notebook clones to install dlbook.

Every expression also carries MathJax's assistive MathML: a copy of it as MathML, hidden from
sight, that screen readers read (tests/test_accessibility.py checks chapter 5's). tex-chtml.js
has the extension built in; the setting says so explicitly, in the page and in its menu.
"""

import importlib.util
import shutil
from pathlib import Path

from sphinx.util.fileutil import copy_asset

COMPONENT = "tex-chtml.js"
ON_DEMAND = ("a11y", "adaptors", "input", "output", "sre", "ui")
ASSISTIVE_MML = {
    "options": {"enableAssistiveMml": True, "menuOptions": {"settings": {"assistiveMml": True}}}
}


def distribution() -> Path:
    """MathJax as the sphinx-mathjax-offline package ships it."""
    return Path(importlib.util.find_spec("sphinx-mathjax-offline").origin).parent / "static/mathjax"


def copy_mathjax(app, exc) -> None:
    if exc is not None:  # a failed build publishes nothing
        return
    source, target = distribution(), Path(app.outdir) / "_static" / "mathjax"
    copy_asset(str(source / COMPONENT), str(target))
    for folder in ON_DEMAND:
        copy_asset(str(source / folder), str(target / folder))
    for left in target.iterdir():  # from an older build that copied everything
        if left.name not in {COMPONENT, *ON_DEMAND}:
            shutil.rmtree(left) if left.is_dir() else left.unlink()


def merge(into: dict, extra: dict) -> dict:
    for key, value in extra.items():
        into[key] = merge(dict(into.get(key) or {}), value) if isinstance(value, dict) else value
    return into


def configure(app, config) -> None:
    config.mathjax3_config = merge(dict(config.mathjax3_config or {}), ASSISTIVE_MML)


def setup(app):
    app.connect("config-inited", configure)
    app.connect("build-finished", copy_mathjax)
    app.config.mathjax_path = f"mathjax/{COMPONENT}"
    return {"parallel_read_safe": True, "parallel_write_safe": True}
