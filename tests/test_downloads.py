"""dlbook.downloads: fetch once, verify, extract safely; every failure names
its cause. Against a server on 127.0.0.1."""

import hashlib
import io
import zipfile

import pytest

from dlbook import downloads, imagefiles
from helpers import serve_folder
from test_imagefiles import jpeg_bytes


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.fixture
def server(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    requests = []
    with serve_folder(served, requests) as url:
        yield url, served, requests


def test_download_verify_extract_and_reuse(server, tmp_path):
    url, served, requests = server
    archive = zip_of(
        {
            "coco_humans/people/a.jpg": jpeg_bytes(),
            "coco_humans/people/b.jpg": jpeg_bytes(),
        }
    )
    (served / "set.zip").write_bytes(archive)
    digest = hashlib.sha256(archive).hexdigest()
    cache = tmp_path / "cache"

    folder = downloads.fetch_archive(f"{url}/set.zip", len(archive), digest, root=cache, timeout=5)
    assert sorted(p.name for p in folder.rglob("*.jpg")) == ["a.jpg", "b.jpg"]
    dataset, skipped = imagefiles.image_folder(folder / "coco_humans")
    assert len(dataset) == 2 and skipped == []
    count = len(requests)
    assert downloads.fetch_archive(f"{url}/set.zip", len(archive), digest, root=cache) == folder
    assert len(requests) == count, "a verified extraction must be reused without the network"


def test_bad_checksum_is_a_clear_error_and_keeps_the_file(server, tmp_path):
    url, served, _ = server
    archive = zip_of({"x/a.jpg": jpeg_bytes()})
    (served / "set.zip").write_bytes(archive)
    with pytest.raises(downloads.DataError, match="sha256 .* expected 0{64}.*rejected"):
        downloads.fetch_archive(
            f"{url}/set.zip",
            len(archive),
            "0" * 64,
            root=tmp_path / "c",
            timeout=5,
        )
    assert (tmp_path / "c" / "set.zip.rejected").read_bytes() == archive
    assert not (tmp_path / "c" / "set").exists()


def test_wrong_size_is_a_clear_error(server, tmp_path):
    url, served, _ = server
    (served / "set.zip").write_bytes(zip_of({"x/a.jpg": jpeg_bytes()}))
    with pytest.raises(downloads.DataError, match="expected 39,144,514"):
        downloads.fetch_archive(f"{url}/set.zip", 39_144_514, None, root=tmp_path / "c", timeout=5)


def test_not_a_zip_is_a_clear_error(server, tmp_path):
    url, served, _ = server
    (served / "set.zip").write_bytes(b"<html>a login page</html>")
    with pytest.raises(downloads.DataError, match="not a valid zip"):
        downloads.fetch_archive(f"{url}/set.zip", None, None, root=tmp_path / "c", timeout=5)


def test_path_traversal_is_refused(server, tmp_path):
    url, served, _ = server
    (served / "evil.zip").write_bytes(zip_of({"ok/a.jpg": jpeg_bytes(), "../../escaped.txt": b"x"}))
    with pytest.raises(downloads.DataError, match="outside"):
        downloads.fetch_archive(f"{url}/evil.zip", None, None, root=tmp_path / "c" / "d", timeout=5)
    assert not list(tmp_path.rglob("escaped.txt"))
    assert not (tmp_path / "c" / "d" / "evil").exists()


def test_unreachable_host_fails_fast_with_the_url(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/set.zip"
    with pytest.raises(downloads.DataError, match=f"could not download {url}"):
        downloads.fetch_archive(url, None, None, root=tmp_path, timeout=2)
    assert not (tmp_path / "set.zip").exists()
