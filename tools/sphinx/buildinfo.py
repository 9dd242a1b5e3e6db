"""The build-info footer: every page says how the book was built (package versions, device,
model setting, date, semester), so that a reader can tell a CPU build with random weights from
an instructor's GPU build with the real model. A Sphinx extension (_config.yml's
local_extensions); the PDF's front matter (tools/sphinx/pdf.py) prints the same facts.
"""

import datetime
import os
import platform
from html import escape
from importlib import metadata
from pathlib import Path

PACKAGES = (
    "dlbook",
    "torch",
    "torchvision",
    "diffusers",
    "transformers",
    "jupyter-book",
)


def device_name() -> str:
    from dlbook import device

    return device.describe(device.choose())


def build_date() -> str:
    # SOURCE_DATE_EPOCH is the reproducible-builds convention for pinning the date.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (
        datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        if epoch
        else datetime.datetime.now(datetime.UTC)
    )
    return when.strftime("%Y-%m-%d")


def versions(packages=PACKAGES) -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in packages:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def describe() -> dict[str, str]:
    """Everything the footer shows, as plain strings."""
    from dlbook import models  # the setting as the chapters read it, default included

    return {
        "semester": os.environ.get("DLBOOK_SEMESTER", ""),
        "date": build_date(),
        "device": device_name(),
        "model": models.model_setting(),
        **versions(),
    }


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
    from tools import settings  # not build_book: the extension never imports what runs Sphinx

    settings.export_course(Path(app.srcdir))
    options = dict(config.html_theme_options or {})
    options["extra_footer"] = footer_html(describe())
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", add_footer)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
