"""nbval must catch a change in dlbook: plant one in a copy of the package and watch it fail."""

import os
import shutil
import subprocess
import sys

import pytest

from helpers import ROOT

pytestmark = [
    pytest.mark.book,  # needs the built book or builds one: not in the fast loop
    pytest.mark.environment,  # nbval in a child with this environment: the offline settings
]

CHAPTER = ROOT / "book" / "01-power-rule.ipynb"


def run_nbval(pythonpath: str | None):
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath  # ahead of the editable install, also in the kernel
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "--nbval",
    ]
    command += [
        "--nbval-current-env",
        "--nbval-sanitize-with",
        "tests/nbval_sanitize.cfg",
    ]
    return subprocess.run(
        [*command, str(CHAPTER)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_planted_change_in_the_power_rule_fails_nbval(tmp_path):
    shutil.copytree(ROOT / "code" / "dlbook", tmp_path / "dlbook")
    calculus = tmp_path / "dlbook" / "calculus.py"
    source = calculus.read_text()
    correct = "tuple(k * c for k, c in enumerate(coefficients))[1:]"
    assert correct in source, "the planted change no longer applies: update this test"
    calculus.write_text(
        source.replace(
            correct,
            "tuple((k + 1) * c for k, c in enumerate(coefficients))[1:]",
        )
    )

    result = run_nbval(str(tmp_path))
    assert result.returncode != 0, result.stdout[-2000:]
    assert "failed" in result.stdout
    assert "p1(x) = 5x³ − 8x² + 9x − 8" in result.stdout  # the planted derivative, reported
