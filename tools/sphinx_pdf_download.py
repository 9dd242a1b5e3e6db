"""Sphinx extension: every page's download menu offers the whole book as a PDF, its edition's.

`make pdf` (tools/build_pdf.py) typesets it and puts it beside index.html: foundations.pdf in
the instructor site, foundations-student.pdf in the student site (sphinx-exercise's
hide_solutions tells the editions apart). The theme's own ".pdf" entry prints the one page.
"""

PDF = {False: "foundations.pdf", True: "foundations-student.pdf"}


def pdf_name(config) -> str:
    return PDF[bool(getattr(config, "hide_solutions", False))]


def add_pdf_button(app, pagename, templatename, context, doctree):
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            group["buttons"].append(
                {
                    "type": "link",
                    "url": context["pathto"](pdf_name(app.config), 1),
                    "text": "Book (PDF)",
                    "tooltip": "Download the whole book as a PDF",
                    "icon": "fas fa-book",
                    "label": "download-book-pdf-button",
                }
            )


def setup(app):
    # After sphinx-book-theme builds the menu (priority 501).
    app.connect("html-page-context", add_pdf_button, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
