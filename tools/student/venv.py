"""A fresh virtual environment with what a student's machine gets: packages from the registry
at the lock's versions, nothing of this repository on its paths.

tests/test_student_notebooks.py runs the published notebooks in one; the grader
(tools/grading/kernel.py) runs submissions in one that has dlbook installed from a copy of the
published package.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The variables the semester build sets otherwise than make test: the book's settings, the hub's
# and make's (tests/environment_marker.py watches them; test_environment.py proves the list
# whole). What a venv installs is the lock's, whatever they say.
BUILD_VARIABLES = ("DLBOOK_", "HF_", "HUGGINGFACE_", "MAKE", "MFLAGS", "GNUMAKEFLAGS", "CHECK_ARGS")


def install_environment() -> dict[str, str]:
    """This process's environment without BUILD_VARIABLES: uv keeps what it reads (its cache
    and index, proxies, certificates), and no setting of the book reaches the venv's making."""
    return {k: v for k, v in os.environ.items() if not k.startswith(BUILD_VARIABLES)}


def create(
    venv: Path, *requirements: str, constraints: Path | None = None, env: dict | None = None
) -> Path:
    """Make `venv` with `requirements` (pip arguments) installed at the lock's versions, from
    the package registry as a student's machine gets them (not --offline: on a machine whose
    uv cache is empty, uv fetches what it has not seen; the hub is what tests never follow).

    Args:
        venv: where the environment goes (created; it must not exist yet).
        requirements: what `uv pip install` gets, e.g. "/tmp/tree[diffusion]", "ipykernel".
        constraints: the lock without its `-e .` line; written beside the venv if not given.
        env: the environment of venv and uv (default: this process's).

    Returns:
        The environment's python.
    """
    subprocess.run([sys.executable, "-m", "venv", venv], env=env, check=True)
    python = venv / "bin" / "python"
    if constraints is None:
        constraints = venv.parent / f"{venv.name}-constraints.txt"
        lock = (ROOT / "requirements.txt").read_text().splitlines()
        constraints.write_text("\n".join(line for line in lock if not line.startswith("-e")))
    uv = shutil.which("uv", path=os.path.dirname(sys.executable)) or "uv"
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", python, "-c", constraints, *requirements],
        env=env,
        check=True,
    )
    return python
