"""The rehearsal's loopback servers themselves (tools/rehearsal/standins/serve.py): files go out
by sendfile, from any byte a resumed download asks for, and a client that hangs up mid-download
is one line in the log, not a traceback."""

import hashlib
import socket
import struct
import time
import urllib.request

from tools.rehearsal.standins import hub

MODEL = "dlbook-tests/stand-in"
WEIGHTS = "unet/diffusion_pytorch_model.safetensors"


def repository(folder, megabytes: int):
    (folder / "unet").mkdir(parents=True)
    (folder / "model_index.json").write_text("{}")
    with open(folder / WEIGHTS, "wb") as weights:
        weights.write(hashlib.sha256(b"weights").digest() * (megabytes * 2**15))
    return hub.Repo(MODEL, folder)


def test_weights_go_out_by_sendfile_from_any_byte(tmp_path, monkeypatch):
    repo = repository(tmp_path / "repo", 4)
    sent = []
    sendfile = socket.socket.sendfile

    def counted(self, file, offset=0, count=None):
        sent.append((offset, count))
        return sendfile(self, file, offset, count)

    monkeypatch.setattr(socket.socket, "sendfile", counted)
    data = (repo.folder / WEIGHTS).read_bytes()
    with hub.LoopbackHub([repo]) as loopback:
        url = f"{loopback.cdn_server.url}/cdn/{MODEL}/{repo.commit}/{WEIGHTS}"
        request = urllib.request.Request(url, headers={"Range": "bytes=1000-"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 206
            assert answer.headers["Content-Range"] == f"bytes 1000-{len(data) - 1}/{len(data)}"
            assert answer.read() == data[1000:]
        head = urllib.request.Request(url, method="HEAD")
        with urllib.request.urlopen(head, timeout=10) as answer:
            assert answer.headers["Content-Length"] == str(len(data)) and not answer.read()
    assert sent == [(1000, len(data) - 1000)]  # the HEAD sent none


def test_a_client_that_hangs_up_mid_download_is_one_line(tmp_path, capfd):
    repo = repository(tmp_path / "repo", 64)  # more than the sockets' buffers hold
    logged = ""
    with hub.LoopbackHub([repo]) as loopback:
        port = int(loopback.cdn_server.url.rsplit(":", 1)[1])
        request = f"GET /cdn/{MODEL}/{repo.commit}/{WEIGHTS} HTTP/1.1\r\nHost: h\r\n\r\n"
        for _ in range(2):  # read the start, then hang up (a reset, as a killed process's)
            with socket.create_connection(("127.0.0.1", port), timeout=10) as client:
                client.sendall(request.encode())
                assert client.recv(4096).startswith(b"HTTP/1.1 200")
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        deadline = time.monotonic() + 10
        while logged.count("\n") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
            logged += capfd.readouterr().err
    lines = logged.splitlines()
    assert len(lines) == 2, logged
    for line in lines:
        assert line.startswith(f"stand-in server {port}: the client at 127.0.0.1:")
        assert line.endswith(("(ConnectionResetError)", "(BrokenPipeError)")), line
