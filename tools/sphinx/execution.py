"""Sphinx extension: what book/execution.md's table (myst-nb's `nb-exec-table`) says.

myst-nb records, for each chapter it reads, when its outputs were made, how long that took and
whether every cell ran; its "Method" is the execution mode, `cache` for every row. We make the
column say where this build's outputs came from:

- `executed`: the chapter ran in this build (myst-nb found no match in the execution cache);
- `cache`: the outputs are an earlier build's, from the execution cache, since neither the
  chapter's cells nor what they run on changed (tools/book/build_book.py drops a chapter's
  record when what it reads moves: tools/book/chapter_inputs.py).

The student edition executes nothing: its chapters carry the instructor build's outputs, read
from that build's cache (tools/student/student_edition.py), which also writes what the cache
says of each chapter into the student sources as `execution.json`. Its table shows those runs,
all `cache`. In the PDF the status reads "yes" or "no": its fonts have no emoji.
"""

import json
import time
from pathlib import Path

from docutils import nodes
from myst_nb.sphinx_ import NbMetadataCollector
from sphinx.transforms.post_transforms import SphinxPostTransform

RECORDS = "execution.json"  # in the student edition's sources


def mark_start(app) -> None:
    app.dlbook_build_started = time.time()


def name_the_method(app, doctree) -> None:
    """myst-nb set this chapter's record while parsing it; say whether it ran now."""
    data = NbMetadataCollector.get_exec_data(app.env, app.env.docname)
    if data and data.get("method") == "cache":
        started = getattr(app, "dlbook_build_started", time.time())
        data["method"] = "executed" if data["mtime"] >= started else "cache"


def instructor_runs(app, env) -> None:
    """The student edition: each chapter's record from the instructor build's cache."""
    path = Path(app.srcdir) / RECORDS
    if app.config.nb_execution_mode != "off" or not path.exists():
        return
    for docname, data in json.loads(path.read_text()).items():
        if docname in env.found_docs:
            NbMetadataCollector.set_exec_data(env, docname, data)


class PrintableStatus(SphinxPostTransform):
    """The table's ✅ / ❌ as words where they are printed."""

    default_priority = 9  # after myst-nb writes the table (8)
    formats = ("latex",)
    words = {"✅": "yes", "❌": "no"}

    def run(self, **kwargs) -> None:
        for text in list(self.document.findall(nodes.Text)):
            if text.astext() in self.words:
                text.parent.replace(text, nodes.Text(self.words[text.astext()]))


def setup(app):
    app.connect("builder-inited", mark_start)
    app.connect("doctree-read", name_the_method)
    # before myst-nb's update_exec_tables (500), which rewrites the page when records are new
    app.connect("env-updated", instructor_runs, priority=400)
    app.add_post_transform(PrintableStatus)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
