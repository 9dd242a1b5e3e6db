"""What the tests share: the repository's layout, the book's chapters, loopback servers
and a clean interpreter. (Fixtures are in conftest.py.)"""

import contextlib
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tools.rehearsal.rehearse import MAKE_INVOCATION
from tools.rehearsal.standins import hub, serve
from tools.student import venv

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
# Every site the book is read on: the instructor edition, the student edition, and the student
# repository's copy of it for GitHub Pages (make publish).
EDITIONS = {
    "instructor": HTML,
    "student": ROOT / "_build" / "student" / "_build" / "html",
    "published": ROOT / "_build" / "publish" / "docs",
}


def toc_files() -> list[str]:
    """The toc's documents after the front page, in order, across its parts."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [entry["file"] for part in toc["parts"] for entry in part["chapters"]]


def chapters() -> list[str]:
    """The toc's documents that are chapters (book/NN-topic, executed), without suffix."""
    return [file for file in toc_files() if re.match(r"book/\d\d-", file)]


def pages() -> list[str]:
    """Every document of the toc: the front page, the chapters, the back matter."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"], *toc_files()]


# Every page of a site: the toc's, and the site's own search page and index.
SITE_PAGES = [*pages(), "search", "genindex"]
# The browser checks (test_browser.py, test_accessibility.py) visit every page unless
# DLBOOK_BROWSE names some, comma-separated: the fast rehearsal names the chapters its
# settings change, since make test has just browsed every page of the offline book.
BROWSE = [name for name in os.environ.get("DLBOOK_BROWSE", "").split(",") if name]


def browsed(names: list[str]) -> list[str]:
    """`names`, less those DLBOOK_BROWSE leaves out."""
    unknown = set(BROWSE) - set(SITE_PAGES)
    if unknown:
        raise ValueError(f"DLBOOK_BROWSE names no page of the book: {sorted(unknown)}")
    return [name for name in names if not BROWSE or name in BROWSE]


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


def run_make(*args: str) -> str:
    """The stdout of `make -s ARGS` in the root, run as a make of its own (none of the calling
    make's flags, overrides or level: MAKE_INVOCATION): the same whether the tests run under
    make test, the semester build's make check (a sub-make, MAKEFLAGS=w) or a shell."""
    env = {name: value for name, value in os.environ.items() if name not in MAKE_INVOCATION}
    command = ["make", "-s", "--no-print-directory", *args]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr}")
    return result.stdout


def unwatched_environment(**chosen: str) -> dict[str, str]:
    """This process's environment without the variables the semester build sets otherwise
    (DLBOOK_*, HF_*, make's: tools/student/venv.install_environment, which the check exempts),
    and `chosen`: for a child whose answer must be the same under make test and the rehearsal's
    make check."""
    return venv.install_environment() | chosen


def run_python(code: str, env: dict[str, str], timeout: float):
    """Run `code` in a fresh interpreter with exactly `env`; capture its output."""
    command = [sys.executable, "-c", code]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


CHROMIUM = shutil.which("chromium")
# Flags for a closed network: no background services calling home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def open_page(browser, url, width=1280, height=800):
    """`url` in a new tab, loaded; (page, the URLs it requested, those that failed)."""
    # 1280 px: a laptop screen, the width the code column is sized for.
    page = browser.new_page(viewport={"width": width, "height": height})
    requests, failures = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: failures.append(request.url))
    # A missing file is no failed request to the browser: an answer, 404.
    page.on("response", lambda r: r.status >= 400 and failures.append(f"{r.status} {r.url}"))
    page.goto(url, wait_until="networkidle")
    return page, requests, failures
