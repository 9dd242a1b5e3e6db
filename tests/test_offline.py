"""Tests never follow a network that happens to be there: `make test` pins the offline settings,
and under them nothing is asked of a hub even when one answers (a loopback stand-in here)."""

import json
import os
import subprocess

import pytest

from helpers import ROOT, fake_hub, run_python

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
    """The environment `make test` (and `make golden`) pin, read from the Makefile itself."""
    output = subprocess.run(
        ["make", "-s", "offline-env"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(line.split("=", 1) for line in output.split())


def probe(settings: dict[str, str], hub: str, tmp_path) -> dict:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DLBOOK_", "HF_"))},
        **settings,
        "HF_ENDPOINT": hub,  # the stand-in answers where the real hub would
        "HF_HOME": str(tmp_path / "hf"),  # nothing cached
        "DLBOOK_DATA": str(tmp_path / "data"),
    }
    result = run_python(PROBE, env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_make_test_pins_every_offline_setting():
    settings = make_test_settings()
    assert settings == {
        "DLBOOK_DEVICE": "cpu",
        "DLBOOK_IMAGES": "offline",
        "DLBOOK_MODEL": "random-small",
        "HF_HUB_OFFLINE": "1",
    }


@pytest.mark.parametrize("workflow", ["test.yml"])
def test_ci_workflow_pins_them_too(workflow):
    import yaml

    jobs = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text())["jobs"]
    for job in jobs.values():
        pinned = {k: str(v) for k, v in job["env"].items()}
        assert make_test_settings().items() <= pinned.items()


@pytest.mark.slow  # a fresh interpreter importing diffusers: ~12 s on 2 cores
def test_make_test_settings_never_reach_an_answering_hub(tmp_path):
    with fake_hub() as (hub, requests):
        # Control: the default setting does ask a hub that answers (else this test proves nothing).
        default_settings = {"DLBOOK_MODEL": "auto", "DLBOOK_IMAGES": "offline"}
        default = probe({**default_settings, "PROBE_AMPLE_MEMORY": "1"}, hub, tmp_path)
        assert requests, "auto never asked the stand-in hub: the probe is broken"
        assert default["mode"] == "random-small"  # the stand-in knows no model
        requests.clear()
        offline = probe(make_test_settings(), hub, tmp_path)
    assert requests == []
    assert offline["hosts"] == [], "a test setting looked up or connected to a host"
    assert offline == {
        "mode": "random-small",
        "device": "cpu",
        "images": "offline samples",
        "hosts": [],
    }
