"""The Python version is stated once, in pyproject.toml's requires-python. What can read it does
(the Makefile, tools/book/lock.py, ruff, the student README); every other mention (the
workflows' container images, binder/runtime.txt, the READMEs' prose) must name the same."""

import re
import subprocess

import pytest

from helpers import ROOT, run_make
from tools import settings
from tools.book import lock

PYTHON = settings.python_version()
# "Python 3.11", "Python ≥ 3.11", "python:3.11-bookworm", "python-3.11", "python3.11", "py311"
MENTION = re.compile(r"\b[Pp]ython[ :-]?(?:≥ ?)?(3\.\d+)|\bpy(3)(\d\d)\b")


def mentions(root, files) -> list[str]:
    """Each mention in `files` of a Python version other than the stated one."""
    found = []
    for file in files:
        try:
            text = (root / file).read_text()
        except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):
            continue
        for match in MENTION.finditer(text):
            version = match.group(1) or f"{match.group(2)}.{match.group(3)}"
            if version != PYTHON:
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{file}:{line}: {match.group(0)}")
    return found


def test_the_stated_version_is_a_python_3_minor():
    assert re.fullmatch(r"3\.\d+", PYTHON)


@pytest.mark.environment
def test_every_mention_names_it():
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    # the lock's markers and the notebooks' kernel metadata are generated, not written
    files = [f for f in listed if not f.endswith((".ipynb", "requirements.txt"))]
    assert mentions(ROOT, files) == []


@pytest.mark.parametrize(
    "planted",  # the other version is 3.99, put together here so this file mentions none
    ["    container: python:{v}-bookworm\n", "python-{v}\n", "On Python {v} only.\n", "py{n}"],
)
def test_a_planted_other_version_is_found(tmp_path, planted):
    planted = planted.format(v="3." + "99", n="3" + "99")
    (tmp_path / "x").write_text(f"Python {PYTHON} here\n{planted}")
    assert mentions(tmp_path, ["x"]) == [f"x:2: {MENTION.search(planted).group(0)}"]


@pytest.mark.environment
def test_the_makefile_and_the_lock_read_it():
    printed = run_make("--eval", "print-python: ; @echo $(PYTHON)", "print-python").strip()
    assert printed == f"python{PYTHON}"
    assert lock.PYTHON == PYTHON


def test_the_workflows_and_binder_name_it():
    """Not derivable (Actions and Binder read these files themselves): checked here."""
    for workflow in (ROOT / ".github" / "workflows").glob("*.yml"):
        for image in re.findall(r"python:(\S+)-bookworm", workflow.read_text()):
            assert image == PYTHON, workflow.name
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == f"python-{PYTHON}"
