"""Where `make test`'s time goes: each stage's command run under a timer, a table at the end.

    python -m tools.stages --log LOG --start              begin LOG: now is the run's start
    python -m tools.stages --log LOG NAME -- COMMAND...   run COMMAND; append its row to LOG
    python -m tools.stages --log LOG --table              print LOG's rows, summed per stage

The Makefile prefixes its stages' recipe lines with this when make test runs them (its `timed`
function), so that a stage reached as a prerequisite is timed too, once. A row holds the wall
seconds and the CPU seconds of the command and all it waited for (on 2 cores CPU / 2 is the least
the stage can take, however scheduled), and when it ran. Stages that ran side by side (make test
runs pytest beside the rehearsal) are marked so, and the total's wall is the run's, from --start
to the table, not the sum of overlapping rows. A failing command's exit status is passed on
unchanged, after the table so far. Stdlib only: the first stage creates the venv.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

START = "#start"
OVERLAP = 1.0  # seconds: make starting one stage as the last ends is not "side by side"


def run(log: Path, name: str, command: list[str]) -> int:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start, began = time.monotonic(), time.time()
    # close_fds=False: a make under the timer keeps the jobserver make -j handed down to it
    returncode = subprocess.call(command, close_fds=False)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as rows:  # one short write: rows from side-by-side stages never mix
        rows.write(f"{name}\t{wall:.3f}\t{cpu:.1f}\t{returncode}\t{began:.3f}\n")
    if returncode:
        print(table(log), file=sys.stderr)
    return returncode


def read(log: Path) -> tuple[float | None, list[tuple[str, float, float, str, float | None]]]:
    """The run's start (None without --start) and the rows: name, wall, CPU, status, began."""
    start, rows = None, []
    for line in log.read_text().splitlines() if log.exists() else []:
        fields = line.split("\t")
        if fields[0] == START:
            start = float(fields[1])
            continue
        name, wall, cpu, returncode = fields[:4]
        began = float(fields[4]) if len(fields) > 4 else None
        rows.append((name, float(wall), float(cpu), returncode, began))
    return start, rows


def table(log: Path) -> str:
    """The stages in the order they first ran, summed; the total; the load average now."""
    start, rows = read(log)
    stages: dict[str, list[float]] = {}
    spans: dict[str, list[tuple[float, float]]] = {}
    failed = set()
    for name, wall, cpu, returncode, began in rows:
        total = stages.setdefault(name, [0.0, 0.0])
        total[0] += wall
        total[1] += cpu
        if began is not None:
            spans.setdefault(name, []).append((began, began + wall))
        if returncode != "0":
            failed.add(name)

    def beside(name: str) -> bool:  # another stage ran a second or more while this one did
        return any(
            min(b, d) - max(a, c) >= OVERLAP
            for other, theirs in spans.items() if other != name
            for a, b in spans.get(name, []) for c, d in theirs
        )  # fmt: skip

    width = max([len(name) for name in stages] + [5])
    lines = ["", "=== make test: where the time went", f"{'stage':<{width}}  wall s   CPU s"]
    for name, (wall, cpu) in stages.items():
        mark = ("  side by side" if beside(name) else "") + ("  FAILED" if name in failed else "")
        lines.append(f"{name:<{width}}  {wall:6.0f}  {cpu:6.0f}{mark}")
    if start is not None:
        wall, how = time.time() - start, "start to end"
    else:
        wall, how = sum(wall for wall, _ in stages.values()), "the rows summed"
    cpu = sum(cpu for _, cpu in stages.values())
    lines.append(f"{'total':<{width}}  {wall:6.0f}  {cpu:6.0f}  ({how})")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines.append(
        f"(load average now {load}; {os.cpu_count()} cores; budget: 600 s after make book)"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, required=True, help="the rows, one per command run")
    parser.add_argument("--table", action="store_true", help="print the table and stop")
    parser.add_argument("--start", action="store_true", help="begin the log: the run starts now")
    parser.add_argument("name", nargs="?", help="the stage's name in the table")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND...")
    args = parser.parse_args()
    if args.table:
        print(table(args.log))
        return
    if args.start:
        args.log.parent.mkdir(parents=True, exist_ok=True)
        args.log.write_text(f"{START}\t{time.time():.1f}\n")
        return
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not args.name or not command:
        parser.error("give a stage's name and, after --, its command")
    sys.exit(run(args.log, args.name, command))


if __name__ == "__main__":
    main()
