"""Sphinx extension: a footer on every page saying how the book was built."""

from html import escape

from dlbook.buildinfo import describe


def footer_html(info: dict[str, str]) -> str:
    packages = ", ".join(
        f"{name} {version}"
        for name, version in info.items()
        if name not in ("date", "device", "model")
    )
    return (
        '<p class="dlbook-buildinfo">'
        f"Built {escape(info['date'])} on {escape(info['device'])}, "
        f"model setting <code>DLBOOK_MODEL={escape(info['model'])}</code>; "
        f"{escape(packages)}.</p>"
    )


def add_footer(app, config):
    options = dict(config.html_theme_options or {})
    options["extra_footer"] = footer_html(describe())
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", add_footer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
