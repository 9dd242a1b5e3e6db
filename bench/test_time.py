"""`make test` after a plain `make book`, against the 300-s budget (2 CPU cores); the README's
fast loop, `pytest -m "not book and not slow"`, against 60 s; `pytest -m "not book"` with make
test's workers; and `make rehearsal-fast`, the last step of make test, on its own.

    python -m bench.test_time   # from the repository's root

It first runs `make book` untimed, as a newcomer does (the course defaults, `auto`): the build
fingerprints what the settings resolve to, so make test's offline settings find every chapter
already executed, and the timed run measures what a developer waits for: the student edition,
the published tree, lint, the lock check, pytest with nbval, and the rehearsal.

Beside each wall time it prints the CPU time of the processes it started (user + system, as
`getrusage` counts the children that were waited for): half of that is the least wall time two
cores could take, however the work were scheduled.
"""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from tools import settings

ROOT = Path(__file__).resolve().parent.parent


def offline_env() -> dict[str, str]:
    return {**os.environ, **settings.offline()}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env) -> tuple[float, float]:
    """Wall and CPU seconds of `command`."""
    start, cpu = time.perf_counter(), cpu_seconds()
    result = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed")
    return time.perf_counter() - start, cpu_seconds() - cpu


def main() -> None:
    env = offline_env()
    timed(["make", "book"], dict(os.environ))  # untimed, with the course defaults
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    fast = timed([*pytest, "-m", "not book and not slow"], env)
    workers = ["-n", "logical", "--dist", "loadfile", "--no-loadscope-reorder"]  # as make test
    package = timed([*pytest, "-m", "not book", *workers], env)
    full = timed(["make", "test"], env)
    rehearsal = timed(["make", "rehearsal-fast"], env)
    without = (full[0] - rehearsal[0], full[1] - rehearsal[1])
    print(f"{'':40}{'wall':>8}{'target':>15}{'CPU':>9}{'CPU / 2':>9}")
    for what, (wall, cpu), target in (
        ("pytest -m 'not book and not slow'", fast, 60),
        ("pytest -m 'not book' -n logical", package, 60),
        ("make test after make book", full, 300),
        ("  of which make rehearsal-fast, about", rehearsal, 300),
        ("  make test without the rehearsal", without, 300),
    ):
        share = f"({wall / target:.2f} of {target})"
        print(f"{what + ':':<40}{wall:6.0f} s {share:>14}{cpu:7.0f} s{cpu / 2:7.0f} s")


if __name__ == "__main__":
    main()
