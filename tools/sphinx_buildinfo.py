"""Sphinx extension: a footer on every page saying how the book was built."""

from html import escape
from pathlib import Path

from buildinfo import describe  # beside this file, like build_book


def footer_html(info: dict[str, str]) -> str:
    packages = ", ".join(
        f"{name} {version}"
        for name, version in info.items()
        if name not in ("semester", "date", "device", "model")
    )
    edition = f"{escape(info['semester'])} edition. " if info.get("semester") else ""
    return (
        '<p class="dlbook-buildinfo">'
        f"{edition}Built {escape(info['date'])} on {escape(info['device'])}, "
        f"model setting <code>DLBOOK_MODEL={escape(info['model'])}</code>; "
        f"{escape(packages)}.</p>"
    )


def add_footer(app, config):
    import build_book  # beside this file: Jupyter Book puts local_extensions on sys.path

    build_book.apply_course_settings(Path(app.srcdir))
    options = dict(config.html_theme_options or {})
    options["extra_footer"] = footer_html(describe())
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", add_footer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
