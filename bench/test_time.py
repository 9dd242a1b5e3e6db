"""`make test` on a tree whose book is already built with the same settings, against the 300-s
budget (2 CPU cores); the README's fast loop, `pytest -m "not book and not slow"`, against
60 s; and `pytest -m "not book"` with make test's workers, for reference.

    python bench/test_time.py

It first brings the book up to date under make test's own (offline) settings, untimed, so that
the timed run measures what a developer waits for after `make book`: the student edition, the
published tree, lint, the lock check and pytest with nbval.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def offline_env() -> dict[str, str]:
    lines = subprocess.run(["make", "-s", "offline-env"], cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.split()  # fmt: skip
    return {**os.environ, **dict(line.split("=", 1) for line in lines)}


def timed(command: list[str], env) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed")
    return time.perf_counter() - start


def main() -> None:
    env = offline_env()
    timed(["make", "book"], env)  # untimed: bring the book up to date
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    fast = timed([*pytest, "-m", "not book and not slow"], env)
    workers = ["-n", "logical", "--dist", "loadfile", "--no-loadscope-reorder"]  # as make test
    package = timed([*pytest, "-m", "not book", *workers], env)
    full = timed(["make", "test"], env)
    for what, seconds, target in (
        ("pytest -m 'not book and not slow'", fast, 60),
        ("pytest -m 'not book' -n logical", package, 60),
        ("make test after make book", full, 300),
    ):
        print(f"{what + ':':<36}{seconds:6.1f} s  ({seconds / target:.2f} of {target} s)")


if __name__ == "__main__":
    main()
