"""Build the book into <output>/_build/html, re-executing chapters whenever their inputs change.

Jupyter Book's execution cache keys on cell source only: a change in `code/` (which the cells
import), in the pinned environment or in the model setting would otherwise leave stale outputs.
We fingerprint those inputs and, when the fingerprint moves, drop the cache and the doctrees so
that every chapter runs again.
"""

import argparse
import fnmatch
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tools.settings import GENERATED, export_course

ROOT = Path(__file__).resolve().parents[2]
FINGERPRINTED = ("code", "requirements.txt", "pyproject.toml")


def resolved_settings() -> str:
    """What the chapters will run on: the model and image set the settings resolve to, device
    and dtype included. `auto` and the mode it picks here are the same build; the semester,
    which only the footer shows, is not part of it."""
    from dlbook import data, models

    # The course's image set is fetched here if the setting asks for it; the chapter reuses it.
    return f"model: {models.resolve()}; images: {data.image_set().name}"


# SD v1-4's full-size networks on a CPU: chapter 5's slowest cell (34 UNet calls at batch 2)
# is about 20 min on 2 cores at the team's per-call figure; this leaves room for slower CPUs.
SLOW_CELL_TIMEOUT = 7200


def cell_timeout(resolved: str) -> int | None:
    """The seconds a cell may run under `resolved` (resolved_settings()) where _config.yml's
    `execute.timeout` would stop a cell that is slow, not hung: full-size networks on a CPU.
    None: _config.yml's applies (tools/sphinx/cell_timeout.py)."""
    from dlbook.models import TINY

    model = resolved.removeprefix("model: ").split(" on ")[0]
    on_cpu = " on cpu " in resolved
    return SLOW_CELL_TIMEOUT if on_cpu and model not in ("random-small", TINY) else None


def current_fingerprint() -> str:
    """The fingerprint of the book `make book` would build now (make pdf checks its outputs)."""
    return fingerprint(settings=resolved_settings())


def fingerprint(root: Path = ROOT, *, settings: str) -> str:
    """The inputs' hash: code/, the lock, pyproject and `settings` (resolved_settings(): a
    required argument, since a fingerprint without them matches no build)."""
    digest = hashlib.sha256()
    for name in FINGERPRINTED:
        path = root / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if any(fnmatch.fnmatch(part, p) for part in file.parts for p in GENERATED):
                continue
            digest.update(str(file.relative_to(root)).encode())
            digest.update(file.read_bytes())
    digest.update(settings.encode())
    return digest.hexdigest()


def forget_stale_outputs(build_dir: Path, current: str) -> bool:
    """Drop executed outputs that `current` (a fingerprint) does not vouch for; True if any went."""
    stamp = build_dir / ".inputs-fingerprint"
    if stamp.exists() and stamp.read_text() == current:
        return False
    # Without a stamp we cannot vouch for an existing cache either.
    for leftover in (".jupyter_cache", ".doctrees", "jupyter_execute"):
        shutil.rmtree(build_dir / leftover, ignore_errors=True)
    stamp.unlink(missing_ok=True)
    return True


def build(output: Path, source: Path = ROOT) -> int:
    # _config.yml's course block gives the defaults; the environment (or --model) wins.
    export_course()
    # DLBOOK_DEVICE=cuda without a usable GPU: stop now, not at chapter 4.
    from dlbook import device

    try:
        print(f"build_book: chapters run on {device.describe(device.choose())}")
    except device.DeviceError as error:
        print(f"build_book: {error}", file=sys.stderr)
        return 1
    # A page cannot redraw a progress bar: show its first and last state only (tqdm reads this).
    os.environ.setdefault("TQDM_MININTERVAL", "3600")
    build_dir = output / "_build"
    try:
        resolved = resolved_settings()
    except Exception as error:  # a model or image setting that cannot work: say so now
        print(f"build_book: {error}", file=sys.stderr)
        return 1
    print(f"build_book: {resolved}")
    timeout = cell_timeout(resolved)
    if timeout and "DLBOOK_CELL_TIMEOUT" not in os.environ:  # a person's own setting wins
        os.environ["DLBOOK_CELL_TIMEOUT"] = str(timeout)
        print(f"build_book: full-size networks on a CPU: a cell may run {timeout} s")
    current = fingerprint(settings=resolved)
    if forget_stale_outputs(build_dir, current) and (build_dir / "html").exists():
        print("build_book: code/ or the environment changed; re-executing every chapter")
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    command = [
        str(jupyter_book),
        "build",
        str(source),
        "-W",
        "-n",
        "--path-output",
        str(output),
    ]
    result = subprocess.run(command, cwd=source)
    if result.returncode == 0:
        (build_dir / ".inputs-fingerprint").write_text(current)
    return result.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT, help="folder that gets _build/")
    parser.add_argument(
        "--model",
        help="DLBOOK_MODEL for this build: auto, random-small, random-full, tiny-digits, "
        "a model id or a saved folder",
    )
    parser.add_argument(
        "--edition",
        choices=("instructor", "student"),
        default="instructor",
        help="student: solutions removed, built into <output>/_build/student/_build/html",
    )
    args = parser.parse_args()
    if args.model:
        os.environ["DLBOOK_MODEL"] = args.model
    output = args.output.resolve()
    if args.edition == "student":
        from tools.student import student_edition

        output = output / "_build" / "student"
        sys.exit(build(output, student_edition.make_sources(output / "src")))
    sys.exit(build(output))


if __name__ == "__main__":
    main()
