"""Binder's environment: the book's Python, the lock's runtime pins with CPU torch, offline
defaults."""

import os
import re
import subprocess

import pytest

from helpers import ROOT
from tools import settings

OFFLINE = settings.offline()

BINDER = ROOT / "binder"


def pins(text: str) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", text, flags=re.M)
    return {name.lower().replace("_", "-"): version for name, version in found}


def test_runtime_is_the_books_python():
    assert (BINDER / "runtime.txt").read_text().strip() == f"python-{settings.python_version()}"


def test_requirements_are_the_locks_runtime_pins_with_cpu_torch():
    binder = pins((BINDER / "requirements.txt").read_text())
    lock = pins((ROOT / "requirements.txt").read_text())
    assert binder["torch"] == lock["torch"] + "+cpu"
    assert binder["torchvision"] == lock["torchvision"] + "+cpu"
    assert not [name for name in binder if name.startswith(("nvidia-", "cuda-", "triton"))]
    assert {
        "diffusers",
        "transformers",
        "matplotlib",
        "scikit-image",
    } <= binder.keys()
    assert not {"jupyter-book", "pytest", "playwright", "ruff"} & binder.keys()
    others = {name: v for name, v in binder.items() if not name.startswith("torch")}
    assert all(lock[name] == version for name, version in others.items())


def run_start(**environment: str) -> dict[str, str]:
    mine = {k: v for k, v in os.environ.items() if not k.startswith(tuple(OFFLINE))}
    env = mine | environment
    output = subprocess.run(
        [str(BINDER / "start"), "env"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    return {name: value for name, value in found.items() if name in OFFLINE}


@pytest.mark.environment
def test_start_sets_offline_defaults_and_keeps_the_users():
    assert run_start() == OFFLINE  # offline.env's, read by binder/start
    mine = run_start(DLBOOK_MODEL="CompVis/stable-diffusion-v1-4")
    assert mine["DLBOOK_MODEL"] == "CompVis/stable-diffusion-v1-4"
