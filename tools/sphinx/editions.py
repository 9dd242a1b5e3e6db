"""Sphinx extension: the student site's version switcher, one entry per semester's edition.

The student repository's GitHub Pages keep every semester's student edition at `/<tag>/`, the
newest also at the root (tools/student/archive.py, run by publish_student.sh, adds each new
edition and never rewrites an older one). Every page of every edition shows
pydata-sphinx-theme's version switcher (sphinx-book-theme's base), in the sidebar under the
book's title, filled from the one `switcher.json` at the root of the Pages site.

This build writes `switcher.json` with its own edition; archive.py adds the earlier ones when
it publishes. The same pages are served at the root and at `/<tag>/`, so a script picks the
site's one list: `switcher.json` beside a page's edition at the root, `../switcher.json` from
`/<tag>/` (pydata-sphinx-theme resolves a relative address against the edition's root).
The instructor edition has no switcher: it has one edition, and no public site.
"""

import json
from pathlib import Path

from tools import settings
from tools.sphinx.download import is_student
from tools.student import archive

SWITCHER = "switcher.json"
TEMPLATE = "dlbook-version-switcher.html"  # tools/sphinx/theme/templates: inside a landmark
PICK_LIST = """(() => {  // the edition's root as pydata-sphinx-theme finds it
  const page = `${DOCUMENTATION_OPTIONS.pagename}.html`, here = location.href.split("#")[0];
  const root = here.includes(page) ? here.slice(0, here.indexOf(page)) : here;
  const archived = root.endsWith(`/${DOCUMENTATION_OPTIONS.theme_switcher_version_match}/`);
  DOCUMENTATION_OPTIONS.theme_switcher_json_url =
    new URL(archived ? "../%(list)s" : "%(list)s", root).href;
})();"""


def configure(app, config) -> None:
    if not is_student(app):
        return
    course = settings.course(Path(app.srcdir))
    options = config.html_theme_options
    # check_switcher: the theme would read the list at build time (from the web, for a URL);
    # the version warning banner compares versions as numbers, which semester tags are not.
    options.update(
        switcher={"json_url": SWITCHER, "version_match": course.student_tag},
        check_switcher=False,
        show_version_warning_banner=False,
    )
    config.html_sidebars = {  # tools/sphinx/a11y.py has set them; under the book's title
        pages: [items[0], TEMPLATE, *items[1:]] if TEMPLATE not in items else items
        for pages, items in config.html_sidebars.items()
    }


def pick_list(app, pagename, templatename, context, doctree) -> None:
    if is_student(app):  # after pydata-sphinx-theme's own setting of the address (500)
        app.add_js_file(None, body=PICK_LIST % {"list": SWITCHER})


def write_switcher(app, exc) -> None:
    if exc is None and app.builder.format == "html" and is_student(app):
        entries = [archive.entry(settings.course(Path(app.srcdir)))]
        (Path(app.outdir) / SWITCHER).write_text(json.dumps(entries, indent=2) + "\n")


def setup(app):
    app.connect("config-inited", configure, priority=600)  # after tools/sphinx/a11y.py's
    app.connect("html-page-context", pick_list, priority=510)
    app.connect("build-finished", write_switcher)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
