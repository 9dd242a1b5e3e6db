"""Tests never follow a network that happens to be there: `make test` pins the offline settings,
and under them nothing is asked of a hub even when one answers (a loopback stand-in here). They
are written once, in offline.env; every reader reads that file and no other file restates them."""

import json
import os
import re
import subprocess

import pytest
import yaml

from helpers import ROOT, fake_hub, run_make, run_python, unwatched_environment
from tools import settings

OFFLINE = settings.offline()

# Loads the model and the image set as chapters 4-6 do, and reports every host it looked up or
# connected to (Python's audit events see each socket, whichever library opens it).
PROBE = """
import json, sys
hosts = []
def watch(event, args):
    if event == "socket.getaddrinfo":
        hosts.append(str(args[0]))
    elif event == "socket.connect":
        hosts.append(str(args[1]))
sys.addaudithook(watch)
import os
from dlbook import data, device, models
if os.environ.get("PROBE_AMPLE_MEMORY"):  # so that auto would load real weights on this CPU
    device.available_memory = lambda: 64 * 2**30
loaded = models.load_model()
images = data.image_set(timeout=3)
print(json.dumps({"mode": loaded.mode, "device": str(loaded.pipe.device),
                  "images": images.name, "hosts": hosts}))
"""


def make_test_settings() -> dict[str, str]:
    """The environment `make test` (and `make golden`) pin, as the Makefile exports it."""
    return dict(line.split("=", 1) for line in run_make("offline-env").split())


# Mentions of a value beside its name that are not the offline settings, each with its reason:
# (file, text just before or in the mention).
NOT_RESTATEMENTS = {
    # the message that names the image set a reader chose
    ("code/dlbook/data.py", '"chosen by '),
    # the rehearsal runs on this machine's CPU unless told cuda: its own setting, not a test's
    ("tools/rehearsal/rehearse.py", 'os.environ.get("'),
}


def restatements(root, files) -> list[str]:
    """Each place in `files` that gives an offline setting its value again: NAME=value,
    NAME: value, "NAME": "value", setenv("NAME", "value"), ${NAME:-value}, NAME ?= value,
    environ["NAME"] = "value", ..."""
    found = []
    for file in files:
        try:
            text = (root / file).read_text()
        except (UnicodeDecodeError, IsADirectoryError, FileNotFoundError):
            continue  # images, weights; a file deleted but not yet staged
        for name, value in OFFLINE.items():
            pattern = rf"\b{name}\b[\s\"'`:=,?\]-]{{1,8}}{re.escape(value)}(?![\w-])"
            for match in re.finditer(pattern, text):
                # with what precedes it, so that an exception can say whose setting it is
                context = text[max(0, match.start() - 30) : match.end()]
                if not any(file == f and s in context for f, s in NOT_RESTATEMENTS):
                    line = text.count("\n", 0, match.start()) + 1
                    found.append(f"{file}:{line}: {match.group(0)}")
    return found


def repository_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return [name for name in listed if name != "offline.env"]


def test_offline_env_names_the_four_settings():
    assert set(OFFLINE) == {"DLBOOK_MODEL", "DLBOOK_IMAGES", "DLBOOK_DEVICE", "HF_HUB_OFFLINE"}
    assert all(OFFLINE.values())


@pytest.mark.environment
def test_no_other_file_restates_an_offline_setting():
    assert restatements(ROOT, repository_files()) == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Makefile", "test: export {n} = {v}\n"),
        ("GNUmakefile", "{n} ?= {v}\n"),
        ("conftest.py", 'os.environ["{n}"] = "{v}"\n'),
        ("test.yml", '    env:\n      {n}: "{v}"\n'),
        ("start", 'export {n}="${{{n}:-{v}}}"\n'),
        ("test_x.py", 'env = {{"{n}": "{v}"}}\nmonkeypatch.setenv("{n}", "{v}")\n'),
        ("README.md", "the settings (`{n}={v}`)\n"),
    ],
)
def test_a_planted_restatement_is_found(tmp_path, name, text):
    for variable, value in OFFLINE.items():
        (tmp_path / name).write_text("unrelated line\n" + text.format(n=variable, v=value))
        found = restatements(tmp_path, [name])
        lines = text.format(n=variable, v=value).count(value)  # one restatement on each
        assert len(found) == lines and all(f.startswith(f"{name}:") for f in found), found
        assert not [f for f in found if f.startswith(f"{name}:1:")]  # the unrelated line


@pytest.mark.environment
def test_make_test_pins_every_offline_setting():
    assert make_test_settings() == OFFLINE


@pytest.mark.environment
def test_ci_workflow_adds_them_to_every_step(tmp_path):
    """test.yml's step that appends offline.env to $GITHUB_ENV, run here as Actions runs it."""
    jobs = yaml.safe_load((ROOT / ".github" / "workflows" / "test.yml").read_text())["jobs"]
    for job in jobs.values():
        steps = [step.get("run", "") for step in job["steps"]]
        index = next(i for i, run in enumerate(steps) if "offline.env" in run)
        assert "make test" in "".join(steps[index + 1 :])  # before the tests, not after
        github_env = tmp_path / "github_env"
        environment = {**os.environ, "GITHUB_ENV": str(github_env)}
        subprocess.run(["bash", "-c", steps[index]], cwd=ROOT, env=environment, check=True)
        assert dict(line.split("=", 1) for line in github_env.read_text().split()) == OFFLINE


def probe(chosen: dict[str, str], hub: str, tmp_path) -> dict:
    env = unwatched_environment(  # none of the settings but those given: the same answer
        **chosen,  # under make test and the rehearsal's make check
        HF_ENDPOINT=hub,  # the stand-in answers where the real hub would
        HF_HOME=str(tmp_path / "hf"),  # nothing cached
        DLBOOK_DATA=str(tmp_path / "data"),
    )
    result = run_python(PROBE, env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # a fresh interpreter importing diffusers: ~12 s on 2 cores
def test_make_test_settings_never_reach_an_answering_hub(tmp_path):
    with fake_hub() as (hub, requests):
        # Control: the default setting does ask a hub that answers (else this test proves nothing).
        default_settings = {"DLBOOK_MODEL": "auto", "DLBOOK_IMAGES": OFFLINE["DLBOOK_IMAGES"]}
        default = probe({**default_settings, "PROBE_AMPLE_MEMORY": "1"}, hub, tmp_path)
        assert requests, "auto never asked the stand-in hub: the probe is broken"
        assert default["mode"] == OFFLINE["DLBOOK_MODEL"]  # the stand-in knows no model
        requests.clear()
        offline = probe(OFFLINE, hub, tmp_path)
    assert requests == []
    assert offline["hosts"] == [], "a test setting looked up or connected to a host"
    assert offline == {
        "mode": OFFLINE["DLBOOK_MODEL"],
        "device": OFFLINE["DLBOOK_DEVICE"],
        "images": "offline samples",
        "hosts": [],
    }
