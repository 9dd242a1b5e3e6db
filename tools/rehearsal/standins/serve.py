"""What the loopback servers share: a threaded HTTP server on 127.0.0.1 that starts and stops
with a `with` block, and a request handler with the few replies they need.

Files go out with sendfile(2): the kernel copies them from the page cache to the socket, so a
server starved of CPU beside a busy build (it runs in the rehearsal's process, niced with it)
still keeps a download of gigabytes going; read into Python and written, SD v1-4's UNet took
3.4 GB of memory per request and timed huggingface_hub out (bench/standin_hub.py).
"""

import http.server
import json
import re
import sys
import threading
from pathlib import Path


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, Content-Length on every reply, like the hub

    def log_message(self, *args):  # the servers record what they need themselves
        pass

    def send_head(self, status: int, length: int, headers: dict, total: int | None = None):
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if status == 206 and total is not None:
            self.send_header("Content-Range", f"bytes {total - length}-{total - 1}/{total}")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def send(self, status: int, body: bytes, headers: dict, total: int | None = None):
        self.send_head(status, len(body), headers, total)
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_file(self, status: int, path: Path, headers: dict, start: int = 0, count=None):
        """`path` from byte `start` (a resumed download): `count` bytes of it are sent (all by
        default) while the whole rest is announced, as a connection that breaks off would."""
        size = path.stat().st_size
        self.send_head(status, size - start, headers, total=size)
        count = size - start if count is None else count
        if self.command != "HEAD" and count > 0:
            with path.open("rb") as body:
                self.connection.sendfile(body, start, count)

    def send_json(self, value):
        self.send(200, json.dumps(value).encode(), {"Content-Type": "application/json"})

    def error(self, status: int, code: str | None, message: str):
        headers = {"Content-Type": "application/json", "X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        self.send(status, json.dumps({"error": message}).encode(), headers)

    def range_start(self) -> int:
        """The first byte a `Range: bytes=N-` request asks for (a resumed download), else 0."""
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range") or "")
        return int(match.group(1)) if match else 0


class HTTPServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that hangs up mid-reply (a download timed out, a process ended) is one
        line, as the semester build's log has it; anything else keeps its traceback."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            return super().handle_error(request, client_address)
        host, port = client_address[:2]
        print(f"stand-in server {self.server_address[1]}: the client at {host}:{port} hung up "
              f"mid-reply ({type(error).__name__})", file=sys.stderr, flush=True)  # fmt: skip


class Server:
    """`with Server(handler_class) as server:` serves on a free port; `server.url`."""

    def __init__(self, handler):
        self.http = HTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"

    def start(self):
        # shutdown() waits up to one poll interval: poll every 50 ms, not 500.
        threading.Thread(target=self.http.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self):
        self.http.shutdown()
        self.http.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
