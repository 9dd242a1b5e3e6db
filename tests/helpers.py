"""What the tests share: the repository's layout, the book's chapters, loopback servers
and a clean interpreter. (Fixtures are in conftest.py.)"""

import contextlib
import functools
import http.server
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tools"))

from standins import hub, serve  # noqa: E402  (tools/, on the path just above)


def chapters() -> list[str]:
    """The toc's documents that are chapters (book/NN-topic, executed), without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [entry["file"] for entry in toc["chapters"] if re.match(r"book/\d\d-", entry["file"])]


def pages() -> list[str]:
    """Every document of the toc: the front page, the chapters, the back matter."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"], *(entry["file"] for entry in toc["chapters"])]


@contextlib.contextmanager
def serve_folder(folder: Path, requests: list | None = None):
    """Serve `folder` over HTTP on 127.0.0.1 (a free port); yield its URL.

    Request paths are appended to `requests` when given; nothing is logged to the terminal.
    """

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            if requests is not None:
                requests.append(self.path)

    with serve.Server(functools.partial(Handler, directory=str(folder))) as server:
        yield server.url


@contextlib.contextmanager
def fake_hub():
    """A loopback stand-in for the Hugging Face Hub that knows no repository: every request is
    recorded as (method, path, Authorization header) and answered "repository not found", as
    the hub answers for an unknown id. Yields (endpoint URL for HF_ENDPOINT, the requests)."""
    with hub.LoopbackHub([]) as loopback:
        yield loopback.url, loopback.requests


def run_python(code: str, env: dict[str, str], timeout: float):
    """Run `code` in a fresh interpreter with exactly `env`; capture its output."""
    command = [sys.executable, "-c", code]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
