"""nbval must catch a change in dlbook: plant one in a copy of the package and watch it fail;
and make test's comparison with the build's outputs (--nbval-build) must catch a stored output
the build disagrees with, and refuse outputs older than what the chapter reads."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import ROOT, unwatched_environment
from tools import settings

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
        "-n0",  # one notebook: no workers
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


def run_nbval_build(build: Path, *notebooks: Path):
    """`pytest --nbval-build` (tests/nbval_build.py) on `notebooks`, against `build`'s outputs,
    under the offline settings make test's build ran with."""
    # -c: the project's settings (the plugin among them) for notebooks outside the repository
    command = [sys.executable, "-m", "pytest", "-q", "-n0", "-p", "no:cacheprovider",
               "-c", str(ROOT / "pyproject.toml"), "--nbval-build", "--nbval-build-dir", str(build),
               "--nbval-sanitize-with=tests/nbval_sanitize.cfg", *map(str, notebooks)]  # fmt: skip
    environment = unwatched_environment(**settings.offline())
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)


def paired_copy(folder: Path, chapter: str) -> Path:
    folder.mkdir()
    for suffix in (".md", ".ipynb"):
        shutil.copy(ROOT / "book" / f"{chapter}{suffix}", folder)
    return folder / f"{chapter}.ipynb"


def test_a_reference_the_build_disagrees_with_fails(html_dir, tmp_path):
    """A planted change in a stored output fails against the build's execution; the same
    notebook unchanged, in the same run, passes."""
    control = paired_copy(tmp_path / "control", "02-softmax")
    planted = paired_copy(tmp_path / "planted", "02-softmax")
    notebook = nbformat.read(planted, as_version=4)
    first = next(cell for cell in notebook.cells if cell.cell_type == "code")
    assert "sum of p  = 1.0" in first.outputs[0].text, "the plant no longer applies"
    first.outputs[0].text = first.outputs[0].text.replace("sum of p  = 1.0", "sum of p  = 0.9")
    nbformat.write(notebook, planted)

    result = run_nbval_build(ROOT / "_build", control, planted)
    assert result.returncode == 1, result.stdout[-3000:]
    # every compared cell of both copies passed but the planted one, which nbval reports
    cells = sum(cell.cell_type == "code" for cell in notebook.cells)
    skipped = sum("nbval-skip" in cell.metadata.get("tags", []) for cell in notebook.cells)
    summary = f"1 failed, {2 * (cells - skipped) - 1} passed, {2 * skipped} skipped"
    assert summary in result.stdout, result.stdout[-3000:]
    assert "Cell 0: Cell outputs differ" in result.stdout and "= 0.9" in result.stdout


def test_a_stale_build_is_never_compared(html_dir, tmp_path):
    """Outputs executed before what the chapter reads changed: no comparison, `make book`."""
    build = tmp_path / "_build"
    shutil.copytree(ROOT / "_build" / ".jupyter_cache", build / ".jupyter_cache")
    stamp = json.loads((ROOT / "_build" / ".inputs-fingerprint").read_text())
    stamp["book/02-softmax"] = "0" * 64  # as if code/ had changed since it executed
    (build / ".inputs-fingerprint").write_text(json.dumps(stamp))

    result = run_nbval_build(build, ROOT / "book" / "02-softmax.ipynb")
    assert result.returncode == 1, result.stdout[-3000:]
    assert "book/02-softmax: the build's outputs are missing or stale" in result.stdout
    assert "run `make book`" in result.stdout and " passed" not in result.stdout


def test_the_sanitizer_forgets_only_how_random_small_was_chosen():
    """make book runs the course default, auto, which falls back to random-small offline and
    says why; the references pin random-small (offline.env). nbval's sanitizer removes that
    reason, and nothing else, from the notice (dlbook.notice), as both are rendered."""
    from nbval.plugin import get_sanitize_patterns

    from dlbook import models, notice

    patterns = get_sanitize_patterns((ROOT / "tests" / "nbval_sanitize.cfg").read_text())

    def sanitized(text: str) -> str:
        for regex, replacement in patterns:
            text = re.sub(regex, replacement, text)
        return text

    why = f"{models.DEFAULT_MODEL_ID} is neither cached nor reachable"  # models.auto_choice
    pinned = models.LoadedModel(None, "random-small", models.CONFIG_SETS["random-small"])
    fallen_back = models.LoadedModel(None, "random-small", pinned.source, why)
    assert why in notice.banner(fallen_back).data  # (or the sanitizer tests nothing)
    assert sanitized(notice.banner(fallen_back).data) == notice.banner(pinned).data
    real = models.LoadedModel(None, "real", models.DEFAULT_MODEL_ID, "downloaded from the hub")
    assert sanitized(notice.banner(real).data) == notice.banner(real).data
