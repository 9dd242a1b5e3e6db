"""The seconds a chapter's cell may run: _config.yml's `execute.timeout`, unless the build
(tools/book/build_book.py) or the person running it set DLBOOK_CELL_TIMEOUT.

The timeout is there to stop a kernel that hangs. SD v1-4's full-size networks on a CPU are
slow, not hung: chapter 5's sampling cell makes 34 UNet calls at batch 2, and the first
full-size rehearsal on a CPU stopped there after 600 s. build_book gives those builds more.
"""

import os

from sphinx.errors import ConfigError


def seconds(value: str) -> int:
    """DLBOOK_CELL_TIMEOUT as a whole number of seconds; a clear error otherwise."""
    if not value.strip().isdigit() or int(value) <= 0:
        raise ConfigError(f"DLBOOK_CELL_TIMEOUT={value!r}: give a whole number of seconds")
    return int(value)


def apply(app, config) -> None:
    value = os.environ.get("DLBOOK_CELL_TIMEOUT", "")
    if value:
        config.nb_execution_timeout = seconds(value)


def setup(app):
    app.connect("config-inited", apply)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
