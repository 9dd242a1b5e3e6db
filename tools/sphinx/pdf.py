"""Sphinx extension for the PDF (tools/pdf/build_pdf.py adds it to the LaTeX build only).

The title page (title, edition, semester, date, licence) and its verso with the build's facts
(the site's footer) and which weights produced the pages; and the print form of the outputs
LaTeX cannot show: an HTML notice becomes an admonition, chapter 3's slider its static curves.
Any other HTML output stops the build, naming the page and line: it would print as
"<IPython.core.display.HTML object>".
"""

import os
import re
from html import unescape
from pathlib import Path

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from tools import settings
from tools.sphinx.buildinfo import describe

LOGGER = logging.getLogger(__name__)
NOTICE = re.compile(
    r'<div class="admonition (?P<kind>\w+)">\s*<p class="admonition-title">(?P<title>.*?)</p>'
    r"\s*<p>(?P<text>.*?)</p>\s*</div>",
    re.S,
)
INLINE = re.compile(r"<(strong|code|em)>(.*?)</\1>", re.S)
EXPLORER_ID = 'id="loss-explorer"'
EXPLORER_Y1 = (0.01, 0.25, 0.75, 0.99)  # the site's figure shows 0.5 and 0.1
LICENCE = (
    r"The text is licensed under the Creative Commons Attribution 4.0 International licence "
    r"(\href{https://creativecommons.org/licenses/by/4.0/}{CC BY 4.0}); the code under the "
    r"MIT licence. Third-party material keeps its own licence (see LICENSE)."
)


def inline(text: str) -> list[nodes.Node]:
    """`text` with <strong>, <code> and <em> as docutils nodes, the rest as plain text."""
    parts, last = [], 0
    kinds = {"strong": nodes.strong, "code": nodes.literal, "em": nodes.emphasis}
    for match in INLINE.finditer(text):
        parts.append(nodes.Text(unescape(re.sub("<[^>]+>", "", text[last : match.start()]))))
        inner = unescape(re.sub("<[^>]+>", "", match.group(2)))
        parts.append(kinds[match.group(1)](inner, inner))
        last = match.end()
    parts.append(nodes.Text(unescape(re.sub("<[^>]+>", "", text[last:]))))
    return parts


def notice_node(match: re.Match) -> nodes.Element:
    kind = nodes.warning if match["kind"] == "warning" else nodes.note
    title = nodes.paragraph("", "", nodes.strong(match["title"], unescape(match["title"])))
    return kind("", title, nodes.paragraph("", "", *inline(match["text"])))


def explorer_nodes(app, docname: str) -> list[nodes.Node]:
    """The slider's curves for a few targets, drawn by the same code as the live explorer."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from dlbook.explorer import draw

    folder = Path(app.outdir) / "print-figures"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "loss-explorer.png"
    fig = plt.figure(figsize=(10, 3.4 * len(EXPLORER_Y1)), layout="constrained")
    for subfigure, y1 in zip(fig.subfigures(len(EXPLORER_Y1), 1), EXPLORER_Y1, strict=True):
        draw(subfigure, y1)
    fig.savefig(path, dpi=150)
    plt.close(fig)
    # Relative to the page, as myst-nb's own outputs (a leading "/" would mean the source folder).
    uri = os.path.relpath(path, Path(app.srcdir, docname).parent)
    text = (
        "In print, the slider's curves for the targets "
        + ", ".join(f"y1 = {y1}" for y1 in EXPLORER_Y1)
        + " (loss left, its derivative right; the figure above has y1 = 0.5 and 0.1):"
    )
    image = nodes.image(uri=uri, alt="The loss explorer's curves for four targets")
    return [nodes.paragraph(text, text), image]


class PrintOutputs(SphinxTransform):
    """Replace HTML outputs by their print form, before myst-nb picks a MIME type."""

    default_priority = 500

    def apply(self):
        if self.app.builder.name != "latex":
            return
        bundles = [
            node
            for node in self.document.findall(nodes.container)
            if node.get("nb_element") == "mime_bundle"
        ]
        for bundle in bundles:
            html = [child for child in bundle.children if child.get("mime_type") == "text/html"]
            printable = {"image/png", "image/jpeg", "application/pdf", "text/latex"}
            if not html or any(c.get("mime_type") in printable for c in bundle.children):
                continue
            source = html[0].astext()
            notice = NOTICE.search(source)
            if notice:
                bundle.replace_self(notice_node(notice))
                self.env.dlbook_notices = getattr(self.env, "dlbook_notices", {})
                self.env.dlbook_notices[self.env.docname] = unescape(
                    re.sub("<[^>]+>", "", notice["text"])
                )
            elif EXPLORER_ID in source:
                bundle.replace_self(explorer_nodes(self.app, self.env.docname))
            else:
                LOGGER.warning(
                    "an HTML output with no print form (add one in tools/sphinx/pdf.py)",
                    location=bundle,
                )


class ShowHiddenCells(SphinxPostTransform):
    """Paper has no click to unfold: print hidden inputs and outputs (the instructor's code
    answers are hide-input), before sphinx-jupyterbook-latex drops them (priority 400)."""

    default_priority = 399
    builders = ("latex",)

    def run(self, **kwargs):
        hidden = {"tag_hide-cell", "tag_hide-input", "tag_hide-output"}
        for node in self.document.findall(nodes.container):
            if hidden & set(node["classes"]):
                node["classes"] = [c for c in node["classes"] if c not in hidden]


def verso(app) -> str:
    """The title page's back: the build's facts and which weights produced the pages."""
    info = describe()
    packages = ", ".join(
        f"{name} {version}"
        for name, version in info.items()
        if name not in ("semester", "date", "device", "model")
    )
    return (
        r"\vspace*{\fill}\small\noindent"
        rf"\textcopyright{{}} {escape(app.config.copyright)} {escape(app.config.author)}. "
        rf"{LICENCE}\par\medskip\noindent\textbf{{How this book was built.}} "
        rf"{escape(info.get('semester', ''))} edition, built {escape(info['date'])} on "
        rf"{escape(info['device'])}, model setting "
        rf"\texttt{{DLBOOK\_MODEL={escape(info['model'])}}}; {escape(packages)}. "
        r"Every number and figure was computed by the code beside it.\par\medskip"
        r"\noindent\input{weights.tex}"
    )


def escape(text: str) -> str:
    from sphinx.util.texescape import escape as tex

    return tex(str(text))


def title_page(app, config) -> None:
    # The semester, as the footer has it: _config.yml's course block, or the environment.
    settings.export_course(Path(app.srcdir))
    info = describe()
    semester, date = info["semester"], info["date"]
    edition = app.config.dlbook_edition
    title = config.html_title.removesuffix(" (student edition)")
    main, _, subtitle = title.partition(": ")
    elements = config.latex_elements
    elements["maketitle"] = (
        r"\begin{titlepage}\centering\vspace*{0.25\textheight}"
        rf"{{\Huge\bfseries {escape(main)}\par}}\bigskip"
        rf"{{\Large {escape(subtitle)}\par}}\vspace{{2cm}}"
        rf"{{\large {escape(config.author)}\par}}\vspace{{1cm}}"
        rf"{{\large {escape(edition.capitalize())} edition \textperiodcentered{{}} "
        rf"{escape(semester)}\par}}\medskip{{\normalsize {escape(date)}\par}}"
        r"\vfill{\small " + LICENCE + r"\par}"
        r"\end{titlepage}\clearpage\thispagestyle{empty}" + verso(app) + r"\clearpage"
    )


def write_notices(app, exception) -> None:
    if exception or app.builder.name != "latex":
        return
    notices = getattr(app.env, "dlbook_notices", {})
    sentences = sorted(set(notices.values()))
    text = ""
    if sentences:  # each distinct notice once (chapter 5 may paint with tiny-digits)
        text = (
            r"\textbf{Which weights produced these pages.} "
            + " ".join(escape(s) for s in sentences)
            + " The chapters that use a model repeat this at their top."
        )
    (Path(app.outdir) / "weights.tex").write_text(text + "\n")


def merge(app, env, docnames, other) -> None:
    env.dlbook_notices = {
        **getattr(env, "dlbook_notices", {}),
        **getattr(other, "dlbook_notices", {}),
    }


def purge(app, env, docname) -> None:
    getattr(env, "dlbook_notices", {}).pop(docname, None)


def sphinx_manual_class(app, config) -> None:
    """Sphinx's own book class, not sphinx-jupyterbook-latex's jupyterBook.cls: that one needs
    TeX Live's largest packages (bbm, pgfplots) and overrides the margins geometry sets."""
    config["latex_theme"] = "manual"


def setup(app):
    app.connect("config-inited", sphinx_manual_class, priority=900)
    app.add_config_value("dlbook_edition", "instructor", "env")
    app.add_transform(PrintOutputs)
    app.add_post_transform(ShowHiddenCells)
    app.connect("config-inited", title_page)
    app.connect("env-merge-info", merge)
    app.connect("env-purge-doc", purge)
    app.connect("build-finished", write_notices)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
