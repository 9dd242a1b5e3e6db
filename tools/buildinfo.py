"""What produced a page: package versions, device, model setting, date.

Build-only (tools/sphinx_buildinfo.py uses it): the book prints this in every page's footer, so
a reader can tell a CPU build with random weights from an instructor's GPU build with the real
model.
"""

import datetime
import os
import platform
from importlib import metadata

PACKAGES = (
    "dlbook",
    "torch",
    "torchvision",
    "diffusers",
    "transformers",
    "jupyter-book",
)


def model_setting() -> str:
    """The DLBOOK_MODEL setting the chapters run under ('auto' unless set)."""
    return os.environ.get("DLBOOK_MODEL", "auto")


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
    return {
        "semester": os.environ.get("DLBOOK_SEMESTER", ""),
        "date": build_date(),
        "device": device_name(),
        "model": model_setting(),
        **versions(),
    }
