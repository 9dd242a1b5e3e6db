"""The `environment` marker stays complete (tests/environment_marker.py): a planted test of each
kind fails without it; what it watches covers what the semester build sets otherwise; no module
of ours reads the environment on import, where the check cannot see it; and the fast rehearsal
runs every marked test, its make check a sub-make as in the full one (#33)."""

import ast
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import environment_marker
from helpers import ROOT, run_make
from tools import settings
from tools.book import semester_build
from tools.rehearsal import rehearse

NAME = re.compile(r"[A-Z][A-Z0-9]*_[A-Z0-9_]+")  # an environment variable's name

PLANTED = """
import os, subprocess, sys
import pytest
from huggingface_hub import constants
import environment_marker

@pytest.fixture(scope="module")
def copied():
    return dict(os.environ)

def test_make():
    subprocess.run(["make", "--version"], env={"PATH": os.defpath}, capture_output=True)

def test_shell_make():
    subprocess.run(["sh", "-c", "true && make --version"], env={}, capture_output=True)

def test_lookup():
    os.environ.get("DLBOOK_MODEL")

def test_lookup_of_an_unset_name():
    os.getenv("HF_NOT_SET_ANYWHERE")

def test_copy():
    {**os.environ}

def test_inherited():
    subprocess.run([sys.executable, "-c", "pass"])

def test_hub_cache():
    constants.HF_HUB_CACHE

def test_fixture_a(copied):
    pass

def test_fixture_b(copied):
    pass

@pytest.mark.environment
def test_marked():
    subprocess.run(["make", "--version"], capture_output=True)
    os.environ.get("DLBOOK_MODEL")

def test_set_by_the_test(monkeypatch):
    monkeypatch.setenv("DLBOOK_MODEL", "tiny-digits")
    monkeypatch.delenv("HF_NOT_SET_ANYWHERE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", "/nowhere")
    assert os.environ["DLBOOK_MODEL"] == "tiny-digits"
    os.environ.get("HF_NOT_SET_ANYWHERE")
    constants.HF_HUB_CACHE

def test_unwatched():
    os.environ.get("PATH"), os.environ.get("HOME")
    subprocess.run([sys.executable, "-c", "pass"], env={"PATH": os.defpath})

def test_read_on_import(tmp_path, monkeypatch):
    (tmp_path / "reads_on_import.py").write_text("import os\\nos.environ.get('DLBOOK_X')\\n")
    monkeypatch.syspath_prepend(tmp_path)
    import reads_on_import

@environment_marker.exempt
def filtered():
    return {k: v for k, v in os.environ.items() if not environment_marker.watched(k)}

def test_exempt():
    filtered()
"""
FAILING = {
    "test_make": "runs make: make --version",
    "test_shell_make": "runs make: sh -c true && make --version",
    "test_lookup": "reads DLBOOK_MODEL",
    "test_lookup_of_an_unset_name": "reads HF_NOT_SET_ANYWHERE",
    "test_copy": "copies the whole environment",
    "test_inherited": "which inherits the environment",
    "test_hub_cache": "reads huggingface_hub.constants.HF_HUB_CACHE",
    "test_fixture_a": "copies the whole environment (fixture copied)",
    "test_fixture_b": "copies the whole environment (fixture copied)",
}


@pytest.mark.environment  # pytest in a child, which needs this environment's PATH and HOME
def test_a_planted_dependency_of_each_kind_fails_unmarked(tmp_path):
    (tmp_path / "test_planted.py").write_text(PLANTED)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), str(ROOT)])}
    command = [sys.executable, "-m", "pytest", "-p", "environment_marker", "-p", "no:cacheprovider"]
    command += ["-q", "-rA", "-o", "addopts=", "-o", "markers=environment: planted", "."]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    lines = result.stdout.splitlines()
    failed = {line.split("::")[1].split()[0] for line in lines if line.startswith("FAILED")}
    passed = {line.split("::")[1].split()[0] for line in lines if line.startswith("PASSED")}
    assert failed == set(FAILING), result.stdout[-4000:]
    assert passed == {
        "test_marked", "test_set_by_the_test", "test_unwatched", "test_read_on_import",
        "test_exempt",
    }, result.stdout[-4000:]  # fmt: skip
    for name, reason in FAILING.items():
        report = result.stdout.split(f"test_planted.py::{name} depends on the environment")[1]
        assert reason in report.split("\n\n")[0].split("____")[0], (name, report[:500])


@pytest.mark.environment  # compares this environment with the rehearsal's
def test_watched_covers_what_the_semester_build_sets_otherwise(tmp_path):
    """Each variable the rehearsal's build gets otherwise than this process, each one
    semester_build.py sets, the offline settings make check pins, and make's own."""
    changed = set()
    for size in ("small", "full"):
        env = rehearse.environment("http://127.0.0.1:1", "x", tmp_path, size)
        changed |= {name for name in {*env, *os.environ} if env.get(name) != os.environ.get(name)}
    tree = ast.parse(Path(semester_build.__file__).read_text())
    set_there = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        and NAME.fullmatch(node.value)
    }  # fmt: skip
    names = changed | set_there | set(settings.offline()) | set(rehearse.MAKE_INVOCATION)
    assert {"HF_HOME", "DLBOOK_DATA", "MAKELEVEL", "HF_HUB_DISABLE_XET"} <= names
    assert [name for name in names if not environment_marker.watched(name)] == []


# Module-level reads of the environment in our code, each with why the check may miss it.
READ_ON_IMPORT = {
    # which pages the browser tests visit: they run in the rehearsal (book) and carry the marker
    ("tests/helpers.py", "DLBOOK_BROWSE"),
    # pytest-xdist's worker count, to share the cores: no setting of the book's
    ("tests/conftest.py", "PYTEST_XDIST_WORKER_COUNT"),
}


def reads_on_import(source: str) -> list[str]:
    """The variables (or "?") that `source` looks up in os.environ / os.getenv outside any
    function: when it is imported."""
    tree, found = ast.parse(source), []
    functions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
    inside = {id(n) for f in ast.walk(tree) if isinstance(f, functions) for n in ast.walk(f)}
    parents = {id(child): node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        if id(node) in inside or not (
            isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
        ):
            continue
        lookup = node  # up to the call or subscript that names the variable
        while id(lookup) in parents and not isinstance(lookup, (ast.Call, ast.Subscript)):
            lookup = parents[id(lookup)]
        if isinstance(getattr(lookup, "ctx", None), ast.Store):
            continue  # os.environ[NAME] = ...: a setting, not a read
        names = [n.value for n in ast.walk(lookup) if isinstance(n, ast.Constant)
                 and isinstance(n.value, str) and NAME.fullmatch(n.value)]  # fmt: skip
        found += names[:1] or ["?"]
    return found


def test_no_module_of_ours_reads_the_environment_on_import():
    files = [
        p for folder in ("code", "tools", "tests", "bench") for p in (ROOT / folder).rglob("*.py")
    ]
    found = {
        (p.relative_to(ROOT).as_posix(), name)
        for p in files
        for name in reads_on_import(p.read_text())
    }
    assert found == READ_ON_IMPORT
    planted = "import os\nCACHE = os.environ.get('DLBOOK_DATA')\nif os.getenv('HF_X'):\n    pass\n"
    planted += "os.environ['HF_Y'] = '1'\ndef f():\n    return os.environ['HF_HOME']\n"
    assert sorted(reads_on_import(planted)) == ["DLBOOK_DATA", "HF_X"]


def test_the_fast_rehearsal_runs_every_marked_test():
    words = shlex.split(rehearse.FAST_CHECK)
    expression = words[words.index("-m") + 1]
    assert "environment" in expression.split(" or ") and " and " not in expression
    ignored = [w.split("=", 1)[1] for w in words if w.startswith("--ignore=")]
    for name in ignored:
        assert "mark.environment" not in (ROOT / name).read_text(), name
    for node in [w.split("=", 1)[1] for w in words if w.startswith("--deselect=")]:
        path, name = node.split("::")
        tree = ast.parse((ROOT / path).read_text())
        [function] = [f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name == name]
        module = [ast.unparse(a) for a in tree.body if isinstance(a, ast.Assign)
                  and "pytestmark" in ast.unparse(a.targets[0])]  # fmt: skip
        marks = [ast.unparse(d) for d in function.decorator_list] + module
        assert not [m for m in marks if "mark.environment" in m], node


@pytest.mark.environment  # runs make, as the rehearsal's build does
@pytest.mark.parametrize("caller", [{"MAKEFLAGS": "s", "MAKELEVEL": "2"}, {}])
def test_the_rehearsals_make_check_is_a_sub_make_however_it_was_started(
    tmp_path, monkeypatch, caller
):
    """#33 hid where the fast rehearsal's make check was no sub-make (or a silent one): the
    build gets none of the caller's make variables and MAKELEVEL=1, as under `make rehearsal`,
    so the make it starts (make check) hands `w` down to the makes the tests run."""
    for name in rehearse.MAKE_INVOCATION:
        monkeypatch.delenv(name, raising=False)
    for name, value in caller.items():
        monkeypatch.setenv(name, value)
    env = rehearse.environment("http://127.0.0.1:1", "x", tmp_path, "small")
    assert env["MAKELEVEL"] == "1" and "MAKEFLAGS" not in env
    probe = ["--eval", "probe: ; @printenv MAKEFLAGS", "probe"]
    printed = subprocess.run(["make", *probe], cwd=ROOT, env=env, capture_output=True, text=True)
    lines = printed.stdout.splitlines()
    assert lines[0] == f"make[1]: Entering directory '{ROOT}'" and lines[1].split()[0] == "w"
    assert "w" not in run_make(*probe).split()[0]  # the tests' helper: make on its own


def test_a_venvs_making_gets_none_of_the_watched_variables(monkeypatch):
    """tools/student/venv.install_environment: what uv and `python -m venv` get when the grader
    makes its venv, and what helpers.unwatched_environment starts from (environment_marker
    exempts it on that ground)."""
    from tools.student import venv

    for prefix in environment_marker.WATCHED:
        monkeypatch.setenv(prefix + "PLANTED", "1")
    monkeypatch.setenv("UV_CACHE_DIR", "/uv-cache")
    env = venv.install_environment()
    assert [name for name in env if environment_marker.watched(name)] == []
    assert env["UV_CACHE_DIR"] == "/uv-cache"
