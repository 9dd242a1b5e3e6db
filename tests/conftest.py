"""Shared fixtures; the helpers they use are in helpers.py."""

from pathlib import Path

import pytest
import yaml

from helpers import HTML, ROOT


@pytest.fixture(scope="session")
def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


@pytest.fixture(scope="session")
def html_dir() -> Path:
    if not (HTML / "index.html").exists():
        pytest.skip("no built book in _build/html: run `make book` (make test does) first")
    return HTML


@pytest.fixture(scope="session")
def small_pipe():
    """SD v1-4's parts at random-small size, seeded; shared because building one takes seconds."""
    from dlbook import models

    models.quiet_loading()
    pipe = models.random_pipeline("random-small", seed=0)
    pipe.set_progress_bar_config(disable=True)
    return pipe
