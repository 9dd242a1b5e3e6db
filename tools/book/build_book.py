"""Build the book into <output>/_build/html, re-executing a chapter whenever what it reads changes.

Jupyter Book's execution cache keys on cell source only: a change in `code/` (which the cells
import), in the pinned environment or in the model setting would otherwise leave stale outputs.
We fingerprint what each chapter reads (tools/book/chapter_inputs.py) and, where a chapter's
fingerprint moves, drop its cache record and doctree so that it runs again, and only it: a new
model id re-executes chapters 4-6, a change in dlbook/calculus.py the chapters that import it.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from jupyter_cache import get_cache

from tools.book import chapter_inputs
from tools.settings import export_course

ROOT = Path(__file__).resolve().parents[2]


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
    """The stamp of the book `make book` would build now (make pdf checks its outputs)."""
    return stamp_text(chapter_inputs.fingerprints(settings=resolved_settings()))


def stamp_text(current: dict[str, str]) -> str:
    return json.dumps(current, indent=1, sort_keys=True) + "\n"


def built_stamp(build_dir: Path) -> dict[str, str] | None:
    """What each chapter read when the build in `build_dir` executed it (its stamp); None when
    there is no stamp per chapter (none at all, or the old one-hash form)."""
    try:
        built = json.loads((build_dir / ".inputs-fingerprint").read_text())
    except (OSError, ValueError):
        return None
    return built if isinstance(built, dict) else None


def forget_stale_outputs(build_dir: Path, current: dict[str, str]) -> list[str]:
    """Drop the executed outputs that `current` (chapter_inputs.fingerprints) does not vouch for;
    return the chapters that will execute again ("all" when the whole cache went)."""
    stamp = build_dir / ".inputs-fingerprint"
    built = built_stamp(build_dir)
    if built is None:
        # Without a stamp per chapter we cannot vouch for an existing cache.
        for leftover in (".jupyter_cache", ".doctrees", "jupyter_execute"):
            shutil.rmtree(build_dir / leftover, ignore_errors=True)
        stamp.unlink(missing_ok=True)
        return ["all"]
    stale = [chapter for chapter in current if built.get(chapter) != current[chapter]]
    cached = build_dir / ".jupyter_cache"  # none in the student edition's, which executes nothing
    cache = get_cache(cached) if cached.is_dir() else None
    records = cache.list_cache_records() if cache else []
    for chapter in stale:
        # Every record of the chapter, whatever cells it was made from (cells put back as they
        # were would match an older one, executed under what the chapter read then), and the
        # doctree: Sphinx reads the page again (a missing doctree is a changed page) and
        # myst-nb, finding no record, executes it.
        for record in records:
            if Path(record.uri).stem == Path(chapter).name:
                cache.remove_cache(record.pk)
        (build_dir / ".doctrees" / f"{chapter}.doctree").unlink(missing_ok=True)
        built.pop(chapter, None)  # vouched for again by the build that executes it
    stamp.write_text(stamp_text(built))
    return stale


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
    current = chapter_inputs.fingerprints(settings=resolved)
    stale = forget_stale_outputs(build_dir, current)
    if stale and stale != ["all"]:  # (a first build executes all, and says nothing of it)
        print(f"build_book: what they read changed: executing {', '.join(stale)} again")
    elif stale and (build_dir / "html").exists():
        print("build_book: no stamp per chapter vouches for the cache: executing every chapter")
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
        (build_dir / ".inputs-fingerprint").write_text(stamp_text(current))
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
