"""The `environment` marker, kept complete by a check that watches every test as it runs.

The fast rehearsal (make test) runs the tests marked `environment` again under the semester
script's environment: its make check is a sub-make, its HF_HOME and DLBOOK_DATA are the caches
the build filled, its HF_ENDPOINT a loopback hub. A test depends on that environment, and fails
here without the marker, when it or a fixture it uses (or code they call):
- runs make: what make prints depends on the make above it (#33);
- looks up a variable the semester build sets otherwise (WATCHED) that the test has not set;
- copies the whole environment, or starts a process that inherits it;
- reads a huggingface_hub setting taken from the environment at import (the model cache, the
  hub's address, offline mode): the libraries read theirs once, so only their use shows.
Lookups made while a module is imported are not a test's (they happen once per process, in
whichever test comes first); test_environment.py keeps our own modules from making any.
"""

import ast
import inspect
import os
import sys
import types
import urllib.request
from pathlib import Path

import pytest

from tools.student import venv

# The variables the semester script's environment sets otherwise than make test's:
# tools/rehearsal/rehearse.py's and semester_build's (test_environment.py proves it), and make's.
WATCHED = venv.BUILD_VARIABLES
IMPORTING = "<frozen importlib._bootstrap"
MONKEYPATCH = inspect.getfile(pytest.MonkeyPatch)
# Code whose use of the environment is not the test's answer: functions registered by exempt(),
# the copy without the watched variables that venvs are made with (and children are given:
# helpers.unwatched_environment), and the standard library's look for *_proxy variables
# (urllib, httpx and requests run it on every connection).
EXEMPT_CODE: set[types.CodeType] = {
    venv.install_environment.__code__,
    urllib.request.getproxies_environment.__code__,
}


def watched(name) -> bool:
    return isinstance(name, str) and name.startswith(WATCHED)


def exempt(function):
    """Decorator: what `function` does with the environment is by design (it says why)."""
    EXEMPT_CODE.add(function.__code__)
    return function


class Record:
    """What one test (or one fixture's setup) did that depends on the environment."""

    def __init__(self):
        self.reasons: list[str] = []
        self.written: set[str] = set()  # names the test set or removed itself

    def add(self, reason: str):
        if reason not in self.reasons:
            self.reasons.append(reason)


class Watch:
    """The pytest plugin: records while a test runs, fails it if unmarked."""

    def __init__(self):
        self.current: Record | None = None  # any thread's reads count for the running test
        self.fixtures: dict[str, list[str]] = {}
        self.installed = False

    @staticmethod
    def caller() -> str | None:
        """Who, up the stack, uses os.environ (or the module): "import", "monkeypatch" (a test
        setting what it is about to read), "exempt", or None (the test or code it calls)."""
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename == __file__:
            frame = frame.f_back  # the check's own frames: the wrappers
        while frame is not None:
            code = frame.f_code
            if code.co_filename.startswith(IMPORTING):
                return "import"
            if code.co_filename == MONKEYPATCH:
                return "monkeypatch"
            if code in EXEMPT_CODE:
                return "exempt"
            frame = frame.f_back
        return None

    def read(self, name: str, label: str):
        record = self.current
        if record is None or name in record.written:
            return
        caller = self.caller()
        if caller == "monkeypatch":  # setenv, delenv (even of an unset name), setattr
            record.written.add(name)
        elif caller is None:
            record.add(label)

    def wrote(self, name: str):
        if self.current is not None:
            self.current.written.add(name)

    def copied(self):
        if self.current is not None and self.caller() is None:
            self.current.add("copies the whole environment")

    def audit(self, event: str, args: tuple):
        record = self.current
        if record is None or event not in SPAWNS:
            return
        at, env_at = SPAWNS[event]
        command = list(args[at]) if isinstance(args[at], (list, tuple)) else [args[at]]
        env = None if env_at is None else args[env_at]
        words = [Path(word).name for part in command for word in str(part).split()]
        shown = " ".join(str(part) for part in command)[:80]
        if "make" in words or "gmake" in words:
            record.add(f"runs make: {shown}")
        if env is None and self.caller() is None:
            record.add(f"starts `{shown}`, which inherits the environment")

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef):
        outer, self.current = self.current, Record()
        if outer is not None:
            self.current.written = outer.written
        try:
            return (yield)
        finally:
            self.fixtures.setdefault(fixturedef.argname, []).extend(self.current.reasons)
            self.current = outer

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item):
        # a test function (nbval's notebook cells are other items: not checked)
        self.current = Record() if isinstance(item, pytest.Function) else None
        try:
            return (yield)
        finally:
            self.current = None

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        record = self.current
        if call.when != "call" or record is None or not report.passed:
            return report
        if item.get_closest_marker("environment"):
            return report
        reasons = list(record.reasons)
        for name in item.fixturenames:
            reasons += [f"{r} (fixture {name})" for r in self.fixtures.get(name, [])]
        if reasons:
            report.outcome = "failed"
            report.longrepr = (
                f"{item.nodeid} depends on the environment it runs in, but has no "
                "`environment` marker (the fast rehearsal runs marked tests under the "
                "semester script's environment; tests/environment_marker.py):\n  "
                + "\n  ".join(dict.fromkeys(reasons[:8]))
            )
        return report


# Audit events that start a program: where in their arguments the command and the environment
# are (os.system's shell inherits everything).
SPAWNS = {
    "subprocess.Popen": (1, 3),  # executable, args, cwd, env
    "os.posix_spawn": (1, 2),  # path, argv, env
    "os.exec": (1, 2),  # path, args, env
    "os.spawn": (2, 3),  # mode, path, args, env
    "os.system": (0, None),  # command
}

WATCH = Watch()


def pytest_configure(config):
    """The check as a plugin (conftest.py calls this; `-p environment_marker` loads it)."""
    install()
    config.pluginmanager.register(WATCH, "environment-marker")


def install():
    """Hook the checks into os.environ, the audit events and huggingface_hub's settings."""
    if WATCH.installed:
        return
    WATCH.installed = True
    environ = type(os.environ)
    getitem, setitem, delitem = environ.__getitem__, environ.__setitem__, environ.__delitem__
    iterate = environ.__iter__

    def __getitem__(self, key):
        if self is os.environ and watched(key):
            WATCH.read(key, f"reads {key}")
        return getitem(self, key)

    def __setitem__(self, key, value):
        if self is os.environ:
            WATCH.wrote(key)
        setitem(self, key, value)

    def __delitem__(self, key):
        if self is os.environ:
            WATCH.wrote(key)
        delitem(self, key)

    def __iter__(self):
        if self is os.environ:
            WATCH.copied()
        return iterate(self)

    environ.__getitem__, environ.__setitem__ = __getitem__, __setitem__
    environ.__delitem__, environ.__iter__ = __delitem__, __iter__
    sys.addaudithook(WATCH.audit)
    watch_module_settings("huggingface_hub.constants")


def from_environment(source: str) -> set[str]:
    """The module-level names of `source` computed from the environment: assigned from an
    os.environ / os.getenv lookup or from such a name, and functions that read one."""
    tree = ast.parse(source)
    found: set[str] = set()
    while True:
        before = len(found)
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            elif isinstance(node, ast.FunctionDef) and node.col_offset == 0:
                targets = [ast.Name(node.name)]
            names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
            attributes = {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
            if names & found or attributes & {"environ", "getenv"}:
                found |= {t.id for t in targets if isinstance(t, ast.Name)}
        if len(found) == before:
            return found


def watch_module_settings(module_name: str):
    """Record reads of `module_name`'s settings from the environment, through its attributes."""
    try:
        module = __import__(module_name, fromlist=["_"])
    except ImportError:  # the package's runtime alone: nothing of the hub to watch
        return
    names = from_environment(Path(inspect.getfile(module)).read_text())

    class Watched(types.ModuleType):
        def __getattribute__(self, name):
            if name in names:
                WATCH.read(name, f"reads {module_name}.{name}")
            return super().__getattribute__(name)

        def __setattr__(self, name, value):
            WATCH.wrote(name)
            super().__setattr__(name, value)

    module.__class__ = Watched
