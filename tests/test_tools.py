"""tools/ as a package: importable from the root with no sys.path edit, its Sphinx extensions
named as _config.yml loads them, and the semester build runnable before any venv exists."""

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import ROOT


def test_semester_build_needs_only_the_standard_library():
    """book.yml runs it with the runner image's python3, before `make` makes the venv."""
    for path in ("tools/__init__.py", "tools/book/__init__.py", "tools/book/semester_build.py"):
        tree = ast.parse((ROOT / path).read_text())
        imported = {
            alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names
        }
        imported |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
        assert {name.split(".")[0] for name in imported} <= sys.stdlib_module_names, path
    # the system's python3 without site-packages (-S): no venv, nothing installed
    python = shutil.which("python3", path="/usr/local/bin:/usr/bin:/bin") or sys.executable
    result = subprocess.run(
        [python, "-S", "-m", "tools.book.semester_build", "--help"],
        cwd=ROOT, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "semester build" in result.stdout


def test_semester_build_works_in_the_root():
    from tools.book import semester_build

    assert semester_build.ROOT == ROOT
    assert (semester_build.ROOT / "Makefile").exists()


# sys.path.insert / .append / .extend, sys.path[0:0] = ..., sys.path += ..., site.addsitedir
SYS_PATH_EDIT = re.compile(r"sys\.path\s*(\.\s*(insert|append|extend)|\[|\+=)|addsitedir")


def test_no_tool_edits_sys_path():
    edits = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for folder in ("tools", "tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if path != Path(__file__)
        for match in SYS_PATH_EDIT.finditer(path.read_text())
    ]
    assert edits == []


@pytest.mark.parametrize(
    "edit",
    ["sys.path.insert(0, x)", "sys.path.append(x)", "sys.path[0:0] = [x]", "sys.path += [x]",
     "sys.path.extend([x])", "site.addsitedir(x)"],
)  # fmt: skip
def test_each_form_of_sys_path_edit_is_found(edit):
    assert SYS_PATH_EDIT.search(f"import sys\n{edit}\n")
    assert not SYS_PATH_EDIT.search("print(sys.path)\n")


def test_every_local_extension_is_a_module_of_tools():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    extensions = config["sphinx"]["local_extensions"]
    assert extensions and set(extensions.values()) == {"."}  # the root, relative to _config.yml
    for name in extensions:
        assert name.startswith("tools.sphinx.")
        module = __import__(name, fromlist=["setup"])
        assert callable(module.setup)
    buildinfo = (ROOT / "tools" / "sphinx" / "buildinfo.py").read_text()
    assert "build_book" not in buildinfo.replace("not build_book", "")  # Sphinx's launcher


def test_a_snapshot_commits_the_whole_tree_whatever_the_users_git_settings(tmp_path, monkeypatch):
    """rehearse.py's copy of the repository and the tests' student tree: every file, even
    under a `build/` that a user's global gitignore names; a failure names its git command."""
    from tools import snapshot

    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "ignore").write_text("build/\n")
    (tmp_path / "home" / "config").write_text(f"[core]\n\texcludesFile = {tmp_path}/home/ignore\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "home" / "config"))
    tree = tmp_path / "tree"
    (tree / "build").mkdir(parents=True)
    (tree / "build" / "step.py").write_text("")
    (tree / "README.md").write_text("")
    snapshot.commit(tree, "tree", tag="spring-2027")
    git = {"PATH": os.environ["PATH"], "GIT_CONFIG_GLOBAL": os.devnull}
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", "spring-2027"],
        cwd=tree, env=git, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert listed == ["README.md", "build/step.py"]
    with pytest.raises(RuntimeError, match="(?s)git commit -qm again in .*nothing to commit"):
        snapshot.commit(tree, "again")


# Folder patterns of common .gitignore templates: GitHub's Python.gitignore (github/gitignore),
# its Node.gitignore's dist and out, and Jupyter Book's _build. A contributor whose global
# gitignore holds one cannot add a file under such a folder, and tools that skip build output
# skip it (#29: tools/build/, now tools/book/).
TEMPLATE_FOLDERS = """
build/ develop-eggs/ dist/ downloads/ eggs/ .eggs/ lib/ lib64/ parts/ sdist/ var/ wheels/
share/python-wheels/ *.egg-info/ htmlcov/ .tox/ .nox/ cover/ instance/ docs/_build/ .pybuilder/
target/ __pypackages__/ env/ venv/ ENV/ env.bak/ venv.bak/ /site cython_debug/ .mypy_cache/
node_modules/ out/ _build/
"""
GIT = {"PATH": os.defpath, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}


def ignored_by_templates(folders: list[str], scratch: Path) -> list[str]:
    """Those of `folders` (paths from the root) that the templates' patterns ignore, as git
    matches them: a skeleton of the folders in a scratch repository that ignores only those."""
    subprocess.run(["git", "init", "-q", scratch], env=GIT, check=True)
    (scratch / ".gitignore").write_text("\n".join(TEMPLATE_FOLDERS.split()) + "\n")
    for folder in folders:
        (scratch / folder).mkdir(parents=True, exist_ok=True)
        (scratch / folder / "file").touch()
    paths = "".join(f"{folder}/file\n" for folder in folders)
    checked = subprocess.run(
        ["git", "check-ignore", "--stdin"], cwd=scratch, input=paths, env=GIT,
        capture_output=True, text=True,
    )  # fmt: skip
    return sorted(path.removesuffix("/file") for path in checked.stdout.split())


def test_no_folder_of_ours_is_named_like_build_output(tmp_path):
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT, env=GIT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    folders = sorted({str(Path(name).parent) for name in listed} - {"."})
    assert "tools/book" in folders
    assert ignored_by_templates(folders, tmp_path / "ours") == []
    planted = ["tools/build", "tools/dist", "code/lib/x", "site", "tools/site", "tools/builder"]
    found = ignored_by_templates(planted, tmp_path / "planted")
    assert found == ["code/lib/x", "site", "tools/build", "tools/dist"]
