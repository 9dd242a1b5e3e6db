"""Downloads for chapter 6: fetch a zip of images once, verify it (size,
SHA-256, every member's CRC), and extract it where nothing can escape the
target folder.

pooch does cached downloads with hash checks too; these few functions add
what the book needs besides (a hard time limit on every network read, the
size and CRC checks that catch a truncated or HTML-error download, a refusal
of links and path traversal) without another dependency.
"""

import hashlib
import os
import re
import shutil
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

COCO_HUMANS_URL = "https://cs7150.baulab.info/2023-Fall/data/coco_humans.zip"
COCO_HUMANS_SIZE = 39_144_514  # bytes, from the course's own download log
# not published: pin it here once a verified copy has been hashed
COCO_HUMANS_SHA256 = None
# "URL SIZE SHA256": a loopback stand-in for the course host (rehearsals)
REHEARSAL_ARCHIVE = "DLBOOK_REHEARSAL_ARCHIVE"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class DataError(RuntimeError):
    """A data set could not be fetched, verified or read; the message names
    the file and cause."""


def cache_dir() -> Path:
    """Where downloads go: $DLBOOK_DATA, else the user's cache folder (never
    the repository)."""
    if os.environ.get("DLBOOK_DATA"):
        return Path(os.environ["DLBOOK_DATA"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dlbook"


def course_archive() -> dict:
    """The course set's URL, size and SHA-256, and the folder it goes to.

    The real ones, unless DLBOOK_REHEARSAL_ARCHIVE names a loopback stand-in
    for the course's host, with its own size and SHA-256 (both required): a
    rehearsal can never loosen the checks on the real URL, and its archive
    goes to a folder of its own, never taken for the real one.

    Returns:
        `fetch_archive`'s url, size, sha256 and root.
    """
    value = os.environ.get(REHEARSAL_ARCHIVE, "").strip()
    if not value:
        return {
            "url": COCO_HUMANS_URL,
            "size": COCO_HUMANS_SIZE,
            "sha256": COCO_HUMANS_SHA256,
            "root": cache_dir(),
        }
    parts = value.split()
    name = COCO_HUMANS_URL.rsplit("/", 1)[-1]
    if (
        len(parts) != 3
        or not parts[1].isdigit()
        or not re.fullmatch(r"[0-9a-f]{64}", parts[2])
        or urlsplit(parts[0]).hostname not in LOOPBACK
        or parts[0].rsplit("/", 1)[-1] != name
    ):
        raise DataError(
            f"{REHEARSAL_ARCHIVE}={value!r}: expected 'URL SIZE SHA256', "
            f"a loopback URL ending in /{name}"
        )
    return {
        "url": parts[0],
        "size": int(parts[1]),
        "sha256": parts[2],
        "root": cache_dir() / "rehearsal",
    }


def sha256sum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_archive(path: Path, size: int | None, sha256: str | None) -> None:
    """Size, then checksum, then every member's CRC: raise DataError naming
    what failed."""
    actual = path.stat().st_size
    if size is not None and actual != size:
        raise DataError(
            f"{path}: {actual:,} bytes, expected {size:,} "
            "(incomplete download?)"
        )
    if sha256 is not None and (digest := sha256sum(path)) != sha256:
        raise DataError(f"{path}: sha256 {digest}, expected {sha256}")
    try:
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
    except zipfile.BadZipFile as error:
        raise DataError(
            f"{path}: not a valid zip archive ({error})"
        ) from error
    if broken is not None:
        raise DataError(f"{path}: member {broken!r} fails its CRC check")


def safe_extract(archive_path: Path, target: Path) -> Path:
    """Extract a zip into `target`, refusing any member that would land
    outside it."""
    target = target.resolve()
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(archive_path) as archive:
        for member in archive.infolist():
            destination = (staging / member.filename).resolve()
            is_link = (member.external_attr >> 16) & 0o170000 == 0o120000
            if not destination.is_relative_to(staging.resolve()) or is_link:
                shutil.rmtree(staging, ignore_errors=True)
                raise DataError(
                    f"{archive_path}: member {member.filename!r} would be "
                    f"written outside {target}; refusing to extract this "
                    "archive"
                )
        archive.extractall(staging)
    shutil.rmtree(target, ignore_errors=True)
    # only a complete extraction ever appears under the final name
    staging.rename(target)
    return target


def download(url: str, path: Path, timeout: float) -> None:
    """Stream `url` to `path`; `timeout` bounds every connect and read, so a
    dead host cannot hang a build (and no process-wide setting changes)."""
    partial = path.with_name(path.name + ".part")
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
        with response, open(partial, "wb") as file:
            shutil.copyfileobj(response, file, 1 << 20)
        partial.replace(path)  # a complete download only, under the name
    finally:
        partial.unlink(missing_ok=True)


def fetch_archive(
    url: str = COCO_HUMANS_URL,
    size: int | None = COCO_HUMANS_SIZE,
    sha256: str | None = COCO_HUMANS_SHA256,
    root: Path | None = None,
    timeout: float = 30.0,
) -> Path:
    """Download (once), verify and extract a zip of images; return the
    extracted folder.

    A folder that was extracted from a verified archive is reused without any
    network access.
    """
    root = Path(root) if root is not None else cache_dir()
    filename = url.rsplit("/", 1)[-1]
    archive, folder = root / filename, root / Path(filename).stem
    done = folder.with_name(folder.name + ".verified")
    if done.exists() and folder.is_dir():
        return folder
    if not archive.exists():
        root.mkdir(parents=True, exist_ok=True)
        try:
            download(url, archive, timeout)
        # URLError, timeouts and refused connections are OSErrors
        except OSError as error:
            raise DataError(f"could not download {url}: {error}") from error
    try:
        verify_archive(archive, size, sha256)
    except DataError as error:
        rejected = archive.with_name(archive.name + ".rejected")
        # kept for inspection; the next call downloads afresh
        archive.replace(rejected)
        raise DataError(f"{error}; moved to {rejected}") from error
    safe_extract(archive, folder)
    done.write_text(sha256sum(archive))
    return folder
