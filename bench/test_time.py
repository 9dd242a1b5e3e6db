"""`make test` after a plain `make book`, against the 300-s budget (2 CPU cores); the README's
fast loop, `pytest -m "not book and not slow"`, against 60 s; `pytest -m "not book"` with make
test's workers; and `make rehearsal-fast`, the last step of make test, on its own.

    python -m bench.test_time   # from the repository's root

It first runs `make book` untimed, as a newcomer does (the course defaults, `auto`): the build
fingerprints what the settings resolve to, so make test's offline settings find every chapter
already executed, and the timed run measures what a developer waits for: the student edition,
the published tree, lint, the lock check, pytest with nbval, and the rehearsal.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

from tools import settings

ROOT = Path(__file__).resolve().parent.parent


def offline_env() -> dict[str, str]:
    return {**os.environ, **settings.offline()}


def timed(command: list[str], env) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed")
    return time.perf_counter() - start


def main() -> None:
    env = offline_env()
    timed(["make", "book"], dict(os.environ))  # untimed, with the course defaults
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    fast = timed([*pytest, "-m", "not book and not slow"], env)
    workers = ["-n", "logical", "--dist", "loadfile", "--no-loadscope-reorder"]  # as make test
    package = timed([*pytest, "-m", "not book", *workers], env)
    full = timed(["make", "test"], env)
    rehearsal = timed(["make", "rehearsal-fast"], env)
    for what, seconds, target in (
        ("pytest -m 'not book and not slow'", fast, 60),
        ("pytest -m 'not book' -n logical", package, 60),
        ("make test after make book", full, 300),
        ("  of which make rehearsal-fast, about", rehearsal, 300),
        ("  make test without the rehearsal", full - rehearsal, 300),
    ):
        print(f"{what + ':':<40}{seconds:6.1f} s  ({seconds / target:.2f} of {target} s)")


if __name__ == "__main__":
    main()
