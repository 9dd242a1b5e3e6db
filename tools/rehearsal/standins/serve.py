"""What the loopback servers share: a threaded HTTP server on 127.0.0.1 that starts and stops
with a `with` block, and a request handler with the few replies they need."""

import http.server
import json
import re
import threading


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


class Server:
    """`with Server(handler_class) as server:` serves on a free port; `server.url`."""

    def __init__(self, handler):
        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.http.daemon_threads = True
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
