"""What the tests share: the repository's layout, the book's chapters, loopback servers
and a clean interpreter. (Fixtures are in conftest.py.)"""

import contextlib
import functools
import http.server
import re
import subprocess
import sys
import threading
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tools"))


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

    handler = functools.partial(Handler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # shutdown() waits up to one poll interval: poll every 50 ms, not 500.
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def fake_hub():
    """A loopback stand-in for the Hugging Face Hub: every request is recorded as
    (method, path, Authorization header) and answered "repository not found", as the hub answers
    for an unknown id. Yields (endpoint URL for HF_ENDPOINT, the list of requests)."""
    requests = []

    class Hub(http.server.BaseHTTPRequestHandler):
        def answer(self):
            requests.append((self.command, self.path, self.headers.get("Authorization")))
            body = b'{"error": "Repository not found"}'
            self.send_response(404)
            self.send_header("X-Error-Code", "RepoNotFound")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        do_GET = do_HEAD = do_POST = answer

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def run_python(code: str, env: dict[str, str], timeout: float):
    """Run `code` in a fresh interpreter with exactly `env`; capture its output."""
    command = [sys.executable, "-c", code]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)
