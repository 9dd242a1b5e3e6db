"""Where `make test`'s time goes: each stage's command run under a timer, a table at the end.

    python -m tools.stages --log LOG NAME -- COMMAND...   run COMMAND; append its row to LOG
    python -m tools.stages --log LOG --table              print LOG's rows, summed per stage

The Makefile prefixes its stages' recipe lines with this when make test runs them (its `timed`
function), so that a stage reached as a prerequisite is timed too, once. A row holds the wall
seconds and the CPU seconds of the command and all it waited for (on 2 cores CPU / 2 is the least
the stage can take, however scheduled). A failing command's exit status is passed on unchanged,
after the table so far. Stdlib only: the first stage creates the venv.
"""

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def run(log: Path, name: str, command: list[str]) -> int:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    returncode = subprocess.call(command)
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as rows:
        rows.write(f"{name}\t{wall:.1f}\t{cpu:.1f}\t{returncode}\n")
    if returncode:
        print(table(log), file=sys.stderr)
    return returncode


def table(log: Path) -> str:
    """The stages in the order they first ran, summed; the total; the load average now."""
    stages: dict[str, list[float]] = {}
    failed = set()
    for line in log.read_text().splitlines() if log.exists() else []:
        name, wall, cpu, returncode = line.split("\t")
        total = stages.setdefault(name, [0.0, 0.0])
        total[0] += float(wall)
        total[1] += float(cpu)
        if returncode != "0":
            failed.add(name)
    width = max([len(name) for name in stages] + [5])
    lines = ["", "=== make test: where the time went", f"{'stage':<{width}}  wall s   CPU s"]
    for name, (wall, cpu) in stages.items():
        mark = "  FAILED" if name in failed else ""
        lines.append(f"{name:<{width}}  {wall:6.0f}  {cpu:6.0f}{mark}")
    wall = sum(wall for wall, _ in stages.values())
    cpu = sum(cpu for _, cpu in stages.values())
    lines.append(f"{'total':<{width}}  {wall:6.0f}  {cpu:6.0f}")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    lines.append(
        f"(load average now {load}; {os.cpu_count()} cores; budget: 600 s after make book)"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--log", type=Path, required=True, help="the rows, one per command run")
    parser.add_argument("--table", action="store_true", help="print the table and stop")
    parser.add_argument("name", nargs="?", help="the stage's name in the table")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND...")
    args = parser.parse_args()
    if args.table:
        print(table(args.log))
        return
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not args.name or not command:
        parser.error("give a stage's name and, after --, its command")
    sys.exit(run(args.log, args.name, command))


if __name__ == "__main__":
    main()
