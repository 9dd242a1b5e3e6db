"""Where submissions run: an environment outside the repository, and one kernel at a time.

The environment (`environment()`): a venv under $DLBOOK_GRADING_HOME (default
~/.cache/dlbook-grading), keyed by the lock and the package, with dlbook installed from a copy
of the published package (non-editable, the copy deleted): no path in it leads into the
instructor's repository, where the solutions are. Beside it, the offline images and
matplotlib's font cache that chapters need, copied into each submission's scratch folder.

A kernel (`Kernel`) runs in a scratch folder of its own (tempfile) that holds only its home,
its temporary files, those copies and the file `record` writes: never a hidden test, a
solution or an expected value (the hidden tests reach it as cells, one at a time). Its
environment is built from nothing: the offline settings (offline.env), a thread per worker,
memory and file-size limits (resource.setrlimit, set before ipykernel starts).
"""

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from tools import settings
from tools.student import venv as student_venv

ROOT = Path(__file__).resolve().parents[2]
KERNEL = "dlbook-grading"
OUTPUT_CHARS = 20_000  # what a cell may print before the rest is dropped (a print loop)
RECORD_BYTES = 16 * 2**20  # the most a submission's records may take
FILE_BYTES = 2**30  # the largest file a kernel may write
# The kernel's limits, set before ipykernel starts: its memory (DLBOOK_GRADING_MEMORY, taken
# out of its environment), the size of any file it writes (chapter 4 saves the small model's
# weights), no core dumps.
LAUNCH = f"""\
import os, resource
limits = ((resource.RLIMIT_DATA, int(os.environ.pop("DLBOOK_GRADING_MEMORY"))),
          (resource.RLIMIT_FSIZE, {FILE_BYTES}), (resource.RLIMIT_CORE, 0))
for which, value in limits:
    resource.setrlimit(which, (value, value))
from ipykernel import kernelapp
kernelapp.launch_new_instance()
"""


def home() -> Path:
    return Path(os.environ.get("DLBOOK_GRADING_HOME") or Path.home() / ".cache/dlbook-grading")


def package_key(root: Path = ROOT) -> str:
    """What the environment is made of: the lock and the package's files."""
    digest = hashlib.sha256((root / "requirements.txt").read_bytes())
    digest.update((root / "pyproject.toml").read_bytes())
    for path in sorted((root / "code" / "dlbook").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Environment:
    folder: Path  # the venv and its prepared caches

    @property
    def python(self) -> Path:
        return self.folder / "venv" / "bin" / "python"


def environment(root: Path = ROOT, log=print) -> Environment:
    """The grading environment for `root`'s package, made once (about a minute, warm uv cache)."""
    base = home()
    base.mkdir(parents=True, exist_ok=True)
    folder = base / f"env-{package_key(root)}"
    with open(base / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one maker at a time (parallel tests, two terminals)
        if (folder / "ready").exists():
            return write_kernel_spec(Environment(folder))
        shutil.rmtree(folder, ignore_errors=True)
        log(f"grading: making the grading environment in {folder}")
        folder.mkdir()
        with tempfile.TemporaryDirectory() as scratch:  # the published package, copied
            tree = Path(scratch) / "dlbook"
            shutil.copytree(
                root / "code" / "dlbook",
                tree / "code" / "dlbook",
                ignore=shutil.ignore_patterns(*settings.GENERATED),
            )
            shutil.copy(root / "pyproject.toml", tree / "pyproject.toml")
            (tree / "README.md").write_text("dlbook\n")
            venv_env = student_venv.install_environment()  # no setting of the book's
            student_venv.create(folder / "venv", f"{tree}[diffusion]", "ipykernel", env=venv_env)
        environment = Environment(folder)
        prepare_caches(environment)
        write_kernel_spec(environment)
        for stale in base.glob("env-*"):  # older packages' environments
            if stale != folder:
                shutil.rmtree(stale, ignore_errors=True)
        (folder / "ready").touch()
        return environment


def write_kernel_spec(environment: Environment) -> Environment:
    """The kernel spec that starts ipykernel under LAUNCH's limits (JUPYTER_PATH=folder)."""
    spec = environment.folder / "kernels" / KERNEL
    spec.mkdir(parents=True, exist_ok=True)
    # IPython's history in memory: on disk, a later cell could read the hidden tests there
    argv = [str(environment.python), "-I", "-c", LAUNCH, "-f", "{connection_file}",
            "--HistoryManager.hist_file=:memory:"]  # fmt: skip
    text = json.dumps({"argv": argv, "display_name": KERNEL, "language": "python"})
    if not (spec / "kernel.json").exists() or (spec / "kernel.json").read_text() != text:
        (spec / "kernel.json.new").write_text(text)
        (spec / "kernel.json.new").replace(spec / "kernel.json")
    return environment


def prepare_caches(environment: Environment) -> None:
    """The offline images and matplotlib's font cache, made once, copied to each submission."""
    env = base_env(environment.folder / "caches")
    script = "import matplotlib.pyplot; from dlbook import data; data.image_set('offline')"
    subprocess.run(
        [environment.python, "-I", "-c", script],
        env=env,
        check=True,
        cwd=environment.folder,
        capture_output=True,
    )


def base_env(scratch: Path) -> dict[str, str]:
    """A kernel's whole environment, for a scratch folder: nothing inherited but PATH's system
    part and the cores' share (tests/conftest.py and the grader set OMP_NUM_THREADS)."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(scratch / "home"),
        "TMPDIR": str(scratch / "tmp"),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "agg",
        "MPLCONFIGDIR": str(scratch / "matplotlib"),
        "DLBOOK_DATA": str(scratch / "data"),
        "TQDM_DISABLE": "1",
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
        **settings.offline(),
    }
    for name in ("home", "tmp", "matplotlib", "data"):
        (scratch / name).mkdir(parents=True, exist_ok=True)
    return env


def hidden_cell(source: str) -> str:
    """A hidden test as it runs: in a function, so that its names do not change the later
    cells' (and none of its lines is the student's to edit)."""
    return f"def _hidden_tests():\n{textwrap.indent(source, '    ')}\n\n_hidden_tests()\n"


class Client(NotebookClient):
    """nbclient's, keeping at most OUTPUT_CHARS of what a cell prints."""

    def output(self, outs, msg, display_id, cell_index):
        size = sum(len(str(o.get("text", ""))) + len(str(o.get("data", ""))) for o in outs)
        if size > OUTPUT_CHARS and msg["msg_type"] != "error":
            return None
        return super().output(outs, msg, display_id, cell_index)


class Kernel:
    """A kernel of the grading environment in a scratch folder: `run(source)` one cell at a
    time; reads back what `record` wrote since the last cell."""

    def __init__(self, environment: Environment, scratch: Path, timeout: int, memory_gb: float):
        self.scratch, self.timeout, self.offset = scratch, timeout, 0
        self.records = scratch / "records.jsonl"
        for name in ("data", "matplotlib"):
            if not (scratch / name).exists():
                shutil.copytree(environment.folder / "caches" / name, scratch / name)
        self.env = base_env(scratch) | {
            "DLBOOK_RECORD": str(self.records),
            "DLBOOK_GRADING_MEMORY": str(int(memory_gb * 2**30)),
        }
        os.environ["JUPYTER_PATH"] = str(environment.folder)  # this process only: the spec
        (scratch / "work").mkdir(exist_ok=True)
        self.client = Client(
            nbformat.v4.new_notebook(),
            timeout=timeout,
            kernel_name=KERNEL,
            allow_errors=True,
            record_timing=False,
            interrupt_on_timeout=False,
            startup_timeout=120,
            resources={"metadata": {"path": str(scratch / "work")}},
        )
        self.context = self.client.setup_kernel(env=self.env)

    def __enter__(self):
        self.context.__enter__()
        return self

    def __exit__(self, *exc):
        return self.context.__exit__(*exc)

    def run(self, source: str, timeout: int | None = None, history: bool = True) -> dict:
        """Run one cell (`history=False`: kept out of IPython's `In`). Returns {"outputs": text
        it printed, "error": (name, value) or None, "stop": None, "timed out after N s" or
        "the kernel died ...", "records": the bytes `record` wrote}."""
        cell = nbformat.v4.new_code_cell(source)
        self.client.nb.cells.append(cell)
        self.client.timeout = timeout or self.timeout
        stop = None
        try:
            index = len(self.client.nb.cells) - 1
            self.client.execute_cell(cell, index, store_history=history)
        except CellTimeoutError:
            stop = f"timed out after {self.client.timeout} s"
        except DeadKernelError:
            stop = "the kernel died (a crash, or over the memory limit)"
        errors = [o for o in cell.outputs if o.output_type == "error"]
        text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        return {
            "outputs": text[:OUTPUT_CHARS],
            "error": (errors[0].ename, str(errors[0].evalue)[:500]) if errors else None,
            "stop": stop,
            "records": self.new_records(),
        }

    def new_records(self) -> bytes:
        """What `record` appended since the last cell (a file that shrank is read whole)."""
        if not self.records.exists():
            return b""
        with open(self.records, "rb") as file:
            size = file.seek(0, 2)
            start = self.offset if self.offset <= size else 0
            file.seek(start)
            data = file.read(max(0, min(size, RECORD_BYTES) - start))
        self.offset = size
        return data
