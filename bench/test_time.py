"""The time budget of issue #30, each figure against its target, on 2 CPU cores:

- the fast loop, `pytest -m "not book and not slow"`: <= 60 s;
- `make test` after `make book`: <= 600 s (on an idle machine, a fresh clone, an empty uv cache);
- `.ci/run` on a fresh clone, TeX and chromium installs included: <= 20 min (`--ci`).

    python -m bench.test_time            # in this checkout
    python -m bench.test_time --fresh    # make book, then make test, in a fresh clone of HEAD
                                         # with an empty uv cache (the budget's conditions)
    python -m bench.test_time --ci       # and .ci/run in another fresh clone

`make book` runs first, untimed, as a newcomer runs it (the course defaults, `auto`): the
build fingerprints what the settings resolve to, so make test's offline settings find every
chapter already executed. Also printed: `pytest -m "not book"` with make test's workers, and
make test's own table of stages (tools/stages.py).

Beside each wall time: the CPU time of the processes it started (user + system, as `getrusage`
counts the children that were waited for): half of that is the least wall time two cores could
take, however the work were scheduled. And the load average: on a shared machine a figure
taken at a load above the core count measures the neighbours too.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools import settings, stages

ROOT = Path(__file__).resolve().parent.parent
BUDGET = {"fast loop": 60, "make test after make book": 600, ".ci/run on a fresh clone": 1200}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env, cwd: Path = ROOT) -> tuple[float, float]:
    """Wall and CPU seconds of `command`."""
    start, cpu = time.perf_counter(), cpu_seconds()
    result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed in {cwd}")
    return time.perf_counter() - start, cpu_seconds() - cpu


def fresh_clone(work: Path) -> tuple[Path, dict[str, str]]:
    """A clone of HEAD and an environment with a uv cache of its own, empty."""
    clone = work / "clone"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    return clone, {**os.environ, "UV_CACHE_DIR": str(work / "uv-cache")}


def load() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh", action="store_true", help="make test in a fresh clone")
    parser.add_argument("--ci", action="store_true", help="also .ci/run in a fresh clone")
    args = parser.parse_args()
    offline = {**os.environ, **settings.offline()}
    figures = []
    with tempfile.TemporaryDirectory(prefix="dlbook-test-time-") as work:
        tree, env = fresh_clone(Path(work)) if args.fresh else (ROOT, dict(os.environ))
        print(f"make book (untimed) in {tree} ...", flush=True)
        timed(["make", "book"], env, tree)  # the course defaults
        python = str(tree / ".venv" / "bin" / "python")
        pytest = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        workers = ["-n", "logical", "--dist", "loadfile", "--no-loadscope-reorder"]  # make test's
        for what, command, on in (
            ("fast loop", [*pytest, "-m", "not book and not slow"], offline),
            ("pytest -m 'not book', 2 workers", [*pytest, "-m", "not book", *workers], offline),
            ("make test after make book", ["make", "test"], {**env, **offline}),
        ):
            print(f"{what} (load average {load()}) ...", flush=True)
            figures.append((what, timed(command, on, tree)))
        table = stages.table(tree / "_build" / "stages.tsv")
        if args.ci:
            clone, env = fresh_clone(Path(work) / "ci")
            figures.append((".ci/run on a fresh clone", timed([".ci/run"], env, clone)))
    print(f"\n{'':36}{'wall':>8}{'budget':>16}{'CPU':>9}{'CPU / 2':>9}")
    for what, (wall, cpu) in figures:
        target = BUDGET.get(what)
        share = f"({wall / target:.2f} of {target})" if target else ""
        print(f"{what + ':':<36}{wall:6.0f} s {share:>15}{cpu:7.0f} s{cpu / 2:7.0f} s")
    print(f"(load average at the end: {load()}; {os.cpu_count()} cores)")
    print(table)


if __name__ == "__main__":
    main()
