"""Rehearse the semester build on this machine: tools/book/semester_build.py, the very script that
book.yml runs, against loopback stand-ins for the hub and the course's host.

- A gated hub (standins/hub.py) serves SD v1-4's layout with random weights under the id of
  _config.yml's course.semester_model (`--size full`: SD v1-4's architectures, every count and
  shape real; `--size small`: the narrow networks, for `make test`); HF_TOKEN is the one it
  grants.
- A course host (standins/course.py) serves a coco_humans-shaped zip, pinned for this run only
  through DLBOOK_REHEARSAL_ARCHIVE.
- The build runs in a copy of the repository with a venv of its own, so the book in _build is
  left as it was; it takes its model and images from the course block, as book.yml's run does,
  and starts from this checkout's execution cache as book.yml's starts from the runner's (the
  chapters whose inputs the settings change execute, the rest come from the cache: asserted);
  then the pages are read back, and the output says what was proved.
"""

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

from tools import settings, snapshot
from tools.book import chapter_inputs, semester_build
from tools.rehearsal.standins import course, hub, weights

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "hf_rehearsal_granted"
CHAPTERS = ("book/04-pipeline", "book/05-diffusion", "book/06-safety")
# What book.yml's runner restores before its build (actions/cache): the execution cache, the
# doctrees, the outputs and the stamp of what each chapter read (tools/book/chapter_inputs.py).
RESTORED = ("_build/.jupyter_cache", "_build/.doctrees", "_build/jupyter_execute",
            "_build/.inputs-fingerprint")  # fmt: skip
# The fast rehearsal's `make check`: the tests that read what was built (the sites, both PDFs,
# the published tree) and those whose answer depends on the environment they run in
# (`environment`: make's invocation, the variables, the caches the build filled; an unmarked
# one fails, tests/environment_marker.py); not the rest of the package's, nor the published
# notebooks and the grader's class of notebooks, which run in kernels of their own, offline,
# whatever the book was built with (their releases' outputs are make publish's, which the
# rehearsal's test_publish reads): make test's pytest runs those.
# Nor the builds of planted books that test_build.py runs with make test's settings alone. (The
# hub probes of test_offline, test_rehearsal and test_pretrained and test_digits' training smoke
# left it too: they give their interpreters exactly the settings they need, so they carry no
# `environment` marker and read no build.)
FAST_CHECK = (
    '-m "book or environment" --ignore=tests/test_student_notebooks.py '
    "--ignore=tests/test_grading.py --deselect=tests/test_build.py::test_the_build_fails_loudly "
    "--deselect=tests/test_build.py::test_a_build_that_asks_for_cuda_without_one_stops_at_once"
)
# How a make hands its invocation down to a make run inside it (flags: `w` prints "Entering
# directory" lines; overrides; the level). The build gets none of this process's: it runs as
# `make rehearsal` runs it, its make check a sub-make, however the rehearsal was started.
MAKE_INVOCATION = ("MAKEFLAGS", "MFLAGS", "GNUMAKEFLAGS", "MAKELEVEL", "MAKEFILES")


def copy_repository(target: Path) -> Path:
    """The files git tracks or would track, committed to a repository of their own. The copy
    makes its own venv, as the runner does
    (uv links it from its cache in seconds): sharing this one would let make re-point its
    editable dlbook at the copy."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    snapshot.commit(target, "rehearsal")  # a checkout, as the runner has: actionlint wants it
    return target


def restore_cache(book: Path) -> list[str]:
    """Seed the copy with this checkout's execution cache, as book.yml restores the runner's:
    the chapters that read no model or image setting then come from it, and the ones whose
    fingerprint the semester's settings move (4-6) execute. Returns what was restored."""
    restored = []
    for name in RESTORED:
        source, target = ROOT / name, book / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            # make test's editions read the cache while this copies it, and a read writes its
            # database (the records' access times): that file by SQLite's own backup, no
            # journal that may vanish mid-copy
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.db", "*-journal"))
            for database in source.glob("*.db"):
                copied = target / database.name
                with (
                    closing(sqlite3.connect(database)) as read,
                    closing(sqlite3.connect(copied)) as write,
                ):
                    read.backup(write)
        elif source.is_file():
            shutil.copy2(source, target)
        else:
            continue
        restored.append(name)
    return restored


def chapters_run(log: str) -> dict[str, str]:
    """Each chapter's way to its outputs in the build's log: "executed" or "cache"."""
    found = re.findall(r"(book/[\w-]+)\.md: (Executed notebook|Using cached notebook)", log)
    return {page: "executed" if how.startswith("Executed") else "cache" for page, how in found}


def environment(hub: str, archive: str, work: Path, size: str) -> dict[str, str]:
    """The semester build's environment: this one, with the stand-ins' addresses (`hub`, the
    `archive` pin "URL SIZE SHA256"), caches in `work`, without the course block's settings
    (as on the runner) and without make's (it runs as under `make rehearsal`)."""
    env = {
        **os.environ,
        "HF_ENDPOINT": hub, "HF_TOKEN": TOKEN, "HF_HUB_OFFLINE": "0",
        "HF_HOME": str(work / "hf"), "DLBOOK_DATA": str(work / "data"),
        "DLBOOK_REHEARSAL_ARCHIVE": archive,
        "DLBOOK_DEVICE": os.environ.get("DLBOOK_DEVICE", "cpu"),
    }  # fmt: skip
    for variable in (*semester_build.SETTINGS, *MAKE_INVOCATION):
        env.pop(variable, None)
    env["MAKELEVEL"] = "1"  # the build is make's child, as under `make rehearsal`
    if size == "small":  # in make test, whose pytest runs every other test beside this
        env["CHECK_ARGS"] = FAST_CHECK
        # and browses every page of the offline book: here only the pages whose
        # outputs these settings change (each also has the footer every page shows)
        env["DLBOOK_BROWSE"] = ",".join(CHAPTERS)
    return env


def read_back(book: Path, log: str, model: str, restored: bool) -> list[str]:
    """What the built pages say about the run with `model`; raise AssertionError where they
    disagree. `restored`: the copy started from this checkout's execution cache."""
    proved = []
    runs = chapters_run(log)
    if restored:  # the cache path: only the chapters the settings change ran, the rest built
        executed = sorted(page for page, how in runs.items() if how == "executed")
        assert executed == list(CHAPTERS), f"executed {executed}, not only {list(CHAPTERS)}"
        others = [c for c in chapter_inputs.chapters(book) if c not in CHAPTERS]
        assert all((book / "_build" / "html" / f"{c}.html").is_file() for c in others), others
        proved.append(f"from the restored cache, not executed again: {', '.join(others)}")
    for chapter in CHAPTERS:
        page = (book / "_build" / "html" / f"{chapter}.html").read_text()
        assert f"real weights of <code>{model}</code>" in page, f"{chapter}: notice"
        assert "a rehearsal: a loopback stand-in for the hub" in page, f"{chapter}: its caveat"
        assert f"DLBOOK_MODEL={model}" in page, f"{chapter}: footer"
        seconds = re.search(rf"{chapter}\.md: Executed notebook in ([\d.]+) seconds", log)
        took = f", executed in {float(seconds.group(1)):.0f} s" if seconds else ""
        proved.append(f"{chapter}: notice and footer name {model}{took}")
    safety = (book / "_build" / "html" / f"{CHAPTERS[2]}.html").read_text()
    # the cell that asserts 1,000 images and compares with the homework's list printed these
    assert "sanity hints:" in safety and "flagged here" in safety, "chapter 6: the comparison"
    proved.append("chapter 6 checked coco_humans' 1,000 images and compared with the homework")
    for built in ("_build/student/_build/html/index.html", "_build/publish/docs/index.html"):
        assert (book / built).is_file(), f"missing {built}"
    proved.append("student edition and the published student tree were written")
    return proved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("full", "small"), default="full")
    parser.add_argument(
        "--workdir", type=Path, help="where stand-ins and the copy go (kept; default: a "
        "temporary folder, removed after a run that passed)"
    )  # fmt: skip
    args = parser.parse_args()
    semester = settings.course()
    if semester.semester_images != "coco_humans":  # the one set the course host stands in for
        sys.exit(f"rehearsal: course.semester_images is {semester.semester_images!r}; "
                 "the rehearsal stands in for coco_humans only")  # fmt: skip
    model = semester.semester_model
    work = args.workdir or Path(tempfile.mkdtemp(prefix="dlbook-rehearsal-"))
    work.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    repo = weights.write_repository(work / "sd-v1-4", f"random-{args.size}")
    archive = course.write_archive(work / "course" / "coco_humans.zip")
    size, sha256 = course.describe(archive)
    made = time.monotonic() - start
    shutil.rmtree(work / "book", ignore_errors=True)
    book = copy_repository(work / "book")
    restored = restore_cache(book)
    stand_in = hub.Repo(model, repo, tokens={TOKEN})
    with hub.LoopbackHub([stand_in]) as loopback, course.CourseHost(archive) as host:
        env = environment(loopback.url, f"{host.file_url} {size} {sha256}", work, args.size)
        command = [sys.executable, "-u", "-m", "tools.book.semester_build"]
        build = subprocess.Popen(
            command, cwd=book, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        lines = []
        for line in build.stdout:
            print(line, end="", flush=True)
            lines.append(line)
        build.wait()
        downloads = sum(1 for method, path, _ in loopback.requests if method == "GET")
    if build.returncode != 0:
        sys.exit(f"rehearsal: the semester build failed (exit {build.returncode}); see above; "
                 f"everything it made is kept in {work}")  # fmt: skip
    try:
        proved = read_back(book, "".join(lines), model, "_build/.jupyter_cache" in restored)
    except AssertionError as error:
        sys.exit(f"rehearsal: the built pages disagree: {error}; everything is kept in {work}")
    if args.workdir is None:  # a temporary folder: gone once the run has proved its point
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n=== rehearsal ({args.size} weights, {time.monotonic() - start:.0f} s in all):")
    print(f"  stand-ins written in {made:.0f} s: SD v1-4's layout, {archive.name} ({size:,} B)")
    print(f"  restored from this checkout, as book.yml restores: {', '.join(restored) or 'none'}")
    print(f"  the gated loopback hub answered {downloads} GET requests, with HF_TOKEN")
    for line in proved:
        print(f"  {line}")


if __name__ == "__main__":
    main()
