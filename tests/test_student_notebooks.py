"""The published notebooks run as a student runs them: installed from the published tree into a
fresh virtual environment, from a folder outside the repository, every cell in order.

Both ways in. Colab: a stand-in `google.colab` is imported at kernel start, so the notebook's
setup cell really runs `%pip install "dlbook @ git+<repo>@<tag>"`, against the tree committed to
a local git repository and tagged like the student repository. That cell comes in two kinds
(with and without the `[diffusion]` extra); the first notebook of each kind runs this way (each
install takes ~6 s, and the cells are the same). Binder: the rest run as Binder runs them, the
tree on the path as binder/requirements.txt's `-e .` puts it, the setup cell skipped. Every
kernel's environment is what the tree's `binder/start` exports, and the peak memory of each
kernel is measured against Binder's 2 GB.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from dlbook.exercises import TODO
from helpers import ROOT, chapters, unwatched_environment
from tools import settings, snapshot
from tools.student import venv

pytestmark = pytest.mark.book  # needs the built book or builds one: not in the fast loop

TREE = ROOT / "_build" / "publish"
BINDER_MEMORY = 2 * 1024**3
STAND_IN = '"""Stands in for Colab\'s module: the setup cell only asks whether it is imported."""\n'


@pytest.fixture(scope="module")
def student_machine(tmp_path_factory):
    """A git copy of the tree at its tag, a fresh venv with its dependencies, two kernel specs
    (Colab's and Binder's), and which notebooks take the Colab way."""
    if not (TREE / "pyproject.toml").exists():
        pytest.skip("no published tree in _build/publish: run `make publish` (make test does)")
    base = tmp_path_factory.mktemp("student")
    tag = settings.course().student_tag
    repository = base / "student-repository"
    shutil.copytree(TREE, repository)
    snapshot.commit(repository, "tree", tag=tag)
    # What each process of the student machine starts from: this environment without the book's
    # settings, the hub's or make's (a student's machine has none of the build's).
    plain = unwatched_environment()
    # The tree's own dependencies (pyproject.toml, extra `diffusion`) at the lock's versions.
    python = venv.create(
        base / "venv", "-r", str(repository / "pyproject.toml"), "--extra", "diffusion",
        "ipykernel", "setuptools", env=plain,
    )  # fmt: skip
    # Binder's settings, the offline ones, from the tree's own start script and offline.env.
    binder_env = subprocess.run(
        [repository / "binder" / "start", sys.executable, "-c",
         "import json, os; print(json.dumps(dict(os.environ)))"],
        env={"PATH": os.environ["PATH"]}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    env = {k: v for k, v in json.loads(binder_env.stdout).items() if k in settings.offline()}
    assert env == settings.offline()
    colab = base / "stand-in" / "google" / "colab"
    colab.mkdir(parents=True)
    (colab / "__init__.py").write_text(STAND_IN)
    env |= {
        # The published cell, unchanged: pip may not reach an index here, so it builds dlbook
        # with the venv's setuptools and finds every dependency installed.
        "PIP_NO_INDEX": "1",
        "PIP_NO_BUILD_ISOLATION": "0",
    }
    kernel = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    specs = {
        # Binder installs the repository editable (binder/requirements.txt ends with `-e .`),
        # which puts its code/ on the path; the venv itself has no dlbook, as Colab has none.
        "binder": {"argv": kernel, "env": env | {"PYTHONPATH": str(repository / "code")}},
        "colab": {
            "argv": [*kernel, "--IPKernelApp.exec_lines=import google.colab"],
            "env": env | {"PYTHONPATH": str(colab.parent.parent)},
        },
    }
    for name, spec in specs.items():
        folder = base / "kernels" / "kernels" / name
        folder.mkdir(parents=True)
        spec |= {"display_name": name, "language": "python"}
        (folder / "kernel.json").write_text(json.dumps(spec))
    os.environ["JUPYTER_PATH"] = str(base / "kernels")
    # Colab for the first notebook with each kind of setup cell, Binder for the others.
    setups = {}
    for path in sorted((TREE / "book").glob("*.ipynb")):
        setups.setdefault(nbformat.read(path, as_version=4).cells[1].source, path.name)
    yield {"base": base, "python": python, "repository": repository, "tag": tag,
           "colab": set(setups.values()), "env": plain}  # fmt: skip
    os.environ.pop("JUPYTER_PATH", None)


def peak_rss(pid: int) -> int:
    """The process's high-water resident memory, in bytes (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024


def installed_from(python, env: dict) -> dict:
    """dlbook's direct_url.json in that environment: where pip installed it from."""
    return json.loads(subprocess.run(
        [python, "-c", "from importlib.metadata import distribution as d; "
         "print(d('dlbook').read_text('direct_url.json'))"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout)  # fmt: skip


@pytest.mark.parametrize("chapter", chapters())
def test_published_notebook_runs_to_the_end(student_machine, chapter, record_property):
    name = f"{Path(chapter).name}.ipynb"
    notebook = nbformat.read(TREE / "book" / name, as_version=4)
    work = student_machine["base"] / name.removesuffix(".ipynb")  # outside the repository
    work.mkdir()
    # file://localhost/...: the pip that venv bundles rejects a URL without a host.
    url = f"git+file://localhost{student_machine['repository']}@{student_machine['tag']}"
    setup = notebook.cells[1]
    assert "%pip install" in setup.source, "the second cell is the Colab setup cell"
    # Point the published cell at the local copy of the student repository.
    setup.source = setup.source.replace(
        setup.source.split("git+")[1].split('"')[0], url.removeprefix("git+")
    )
    way = "colab" if name in student_machine["colab"] else "binder"
    peaks = []

    def measure(**_):  # after each cell, while the kernel runs (VmHWM only grows)
        peaks.append(peak_rss(client.km.provisioner.process.pid))

    # execute(), as the book's build and `make golden` run notebooks: driving cells one by one
    # once left nbclient waiting forever for a reply after chapter 3's widget cell.
    client = NotebookClient(notebook, timeout=300, kernel_name=way,
                            resources={"metadata": {"path": str(work)}},
                            on_cell_executed=measure)  # fmt: skip
    start = time.perf_counter()
    client.execute(env=student_machine["env"])  # any error fails the test (the spec adds its env)
    seconds, peak = time.perf_counter() - start, peaks[-1]
    stdout = ["".join(o.get("text", "") for o in c.outputs) for c in notebook.cells[2:]
              if c.cell_type == "code"]  # fmt: skip
    skipped = sum(f"self-check skipped: {TODO}" in text for text in stdout)
    checks = sum("self-check" in c.metadata.get("tags", []) for c in notebook.cells)
    assert skipped == checks > 0, f"{name}: every self-check reports its TODO"
    if way == "colab":
        # The venv had no dlbook before the first Colab notebook: its setup cell installed it
        # from the repository at the tag (and imported it); the next one finds that install.
        origin = installed_from(student_machine["python"], student_machine["env"])
        assert origin["vcs_info"]["requested_revision"] == student_machine["tag"]
    else:
        assert setup.outputs == [], "off Colab the setup cell does nothing"
    size = (TREE / "book" / name).stat().st_size
    # conftest.py prints these at the end of the run (a worker's own prints are not shown)
    record_property(
        "measured",
        f"{name} ({way}): {size / 1e3:.0f} kB, {seconds:.0f} s, peak RSS {peak / 2**20:.0f} MiB",
    )
    assert peak <= BINDER_MEMORY, f"{name} peaks at {peak / 2**30:.2f} GB, over Binder's 2 GB"
