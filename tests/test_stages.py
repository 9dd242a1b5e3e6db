"""make test's table of stages (tools/stages.py): every stage of the issue timed, a failing
stage's exit status passed on, the table printed at the end."""

import re
import subprocess
import sys

import pytest

from helpers import ROOT, run_make, unwatched_environment

STAGES = [sys.executable, "-m", "tools.stages"]
ENV = unwatched_environment()  # the timer reads none of the build's settings


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
    rows = re.findall(r"^(\w[\w ]*?)\s+(\d+)\s+(\d+)(  FAILED)?$", table, re.M)
    assert [row[0] for row in rows] == ["lint", "pytest", "rehearsal", "total"]  # first-run order
    assert [row[3] for row in rows] == ["", "", "  FAILED", ""]
    assert "load average now" in table
    assert len(log.read_text().splitlines()) == 4


@pytest.mark.environment  # starts make
def test_make_test_times_every_stage_and_prints_the_table():
    """make -n: the commands make test would run, each stage's behind the timer once."""
    commands = run_make("-n", "test")
    timed = re.findall(r'tools\.stages --log \S+ "([^"]+)" -- ', commands)
    for stage in ("book", "student edition", "PDFs", "publish", "lint", "lock check", "pytest",
                  "rehearsal", "chromium install", "TeX install"):  # fmt: skip
        assert stage in timed, f"make test does not time {stage!r}"
    assert commands.rstrip().endswith("--table")
    assert re.search(r'"pytest" -- \S+python -m pytest .*--nbval', commands, re.S)
    assert re.search(r'"rehearsal" -- make .*rehearsal-fast', commands)
    # outside make test the recipes run as written
    assert "tools.stages" not in run_make("-n", "lint")
