"""make test's table of stages (tools/stages.py): every stage of the issue timed, a failing
stage's exit status passed on, the table printed at the end."""

import re
import subprocess
import sys

import pytest

from helpers import ROOT, run_make, unwatched_environment

STAGES = [sys.executable, "-m", "tools.stages"]
ENV = unwatched_environment()  # the timer reads none of the build's settings
# A row of the table: stage, wall, CPU, marks, and the total's "(how)"
ROW = re.compile(
    r"^(\w[\w ]*?)\s+(\d+)\s+(\d+)((?:  side by side)?(?:  FAILED)?)(?:  \((.*)\))?$", re.M
)


def test_rows_are_summed_per_stage_and_a_failure_keeps_its_exit_status(tmp_path):
    log = tmp_path / "stages.tsv"
    for name, command in (("lint", "true"), ("pytest", "exit 0"), ("lint", "sleep 0.2")):
        done = subprocess.run(
            [*STAGES, "--log", log, name, "--", "sh", "-c", command], cwd=ROOT, env=ENV
        )
        assert done.returncode == 0
    failed = subprocess.run(
        [*STAGES, "--log", log, "rehearsal", "--", "sh", "-c", "exit 3"],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 3  # make stops with the stage's own status
    assert "rehearsal" in failed.stderr and "FAILED" in failed.stderr  # the table so far
    table = subprocess.run([*STAGES, "--log", log, "--table"], cwd=ROOT, env=ENV,
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    rows = ROW.findall(table)
    assert [row[0] for row in rows] == ["lint", "pytest", "rehearsal", "total"]  # first-run order
    assert [row[3] for row in rows] == ["", "", "  FAILED", ""]
    assert rows[-1][4] == "the rows summed"  # no --start: nothing else to go by
    assert "load average now" in table
    assert len(log.read_text().splitlines()) == 4


def test_stages_side_by_side_are_marked_and_the_total_is_the_runs_wall(tmp_path):
    """make test runs pytest beside the rehearsal: their rows overlap, so the total's wall is
    the run's (from --start), not the rows' sum."""
    log = tmp_path / "stages.tsv"
    subprocess.run([*STAGES, "--log", log, "--start"], cwd=ROOT, env=ENV, check=True)
    both = [
        subprocess.Popen([*STAGES, "--log", log, name, "--", "sleep", "3"], cwd=ROOT, env=ENV)
        for name in ("pytest", "rehearsal")
    ]
    assert [process.wait() for process in both] == [0, 0]
    subprocess.run([*STAGES, "--log", log, "lint", "--", "true"], cwd=ROOT, env=ENV, check=True)
    table = subprocess.run([*STAGES, "--log", log, "--table"], cwd=ROOT, env=ENV,
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    rows = {row[0]: row for row in ROW.findall(table)}
    assert rows["pytest"][3] == rows["rehearsal"][3] == "  side by side"
    assert rows["lint"][3] == ""
    assert rows["total"][4] == "start to end"
    assert 3 <= int(rows["total"][1]) < int(rows["pytest"][1]) + int(rows["rehearsal"][1])


@pytest.mark.environment  # starts make
def test_make_test_times_every_stage_and_prints_the_table(tmp_path):
    """make -n: the commands make test would run, each stage's behind the timer once. (make -n
    still runs the lines that start a make, timer and all: into logs of this test's own, not
    those of a make test that may be running this test.)"""
    logs = [f"STAGES={tmp_path / 'stages.tsv'}", f"REHEARSAL_LOG={tmp_path / 'rehearsal.log'}"]
    commands = run_make("-n", "test", *logs)
    timed = re.findall(r'tools\.stages --log \S+ "([^"]+)" -- ', commands)
    assert "_build/stages.tsv" not in commands and "_build/rehearsal" not in commands
    for stage in ("book", "student edition", "PDFs", "publish", "lint", "lock check", "pytest",
                  "rehearsal", "chromium install", "TeX install"):  # fmt: skip
        assert stage in timed, f"make test does not time {stage!r}"
    # pytest beside the rehearsal, then the table whichever failed
    side_by_side = r"make -j2 .*test-pytest test-rehearsal.*\n.*tools\.stages .*--table; exit"
    assert re.search(side_by_side, commands)
    assert re.search(r'"pytest" -- \S+python -m pytest .*--nbval-build', commands, re.S)
    assert re.search(r'"rehearsal" -- .*make rehearsal-fast', commands)
    # outside make test the recipes run as written
    assert "tools.stages" not in run_make("-n", "lint")
