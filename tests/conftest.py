import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"
sys.path.insert(0, str(ROOT / "tools"))


def chapters() -> list[str]:
    """The toc's documents that are chapters (book/NN-topic, executed), without suffix."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [entry["file"] for entry in toc["chapters"] if re.match(r"book/\d\d-", entry["file"])]


def pages() -> list[str]:
    """Every document of the toc: the front page, the chapters, the back matter."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return [toc["root"], *(entry["file"] for entry in toc["chapters"])]


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
