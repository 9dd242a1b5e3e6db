"""The build itself: failing cells and unknown citations fail it (a change in code/
re-executes the chapters that read it: test_chapter_inputs.py)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT, chapters, unwatched_environment
from tools import settings as tools_settings
from tools.book import build_book

pytestmark = pytest.mark.book  # needs the built book or builds one: not in the fast loop

JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


HEADER = (
    "---\njupytext:\n  text_representation:\n    format_name: myst\n"
    "kernelspec:\n  name: python3\n  display_name: Python 3\n---\n"
)


@pytest.mark.parametrize(
    ("body", "timeout", "cause"),
    [
        (
            "```{code-cell} ipython3\nraise RuntimeError('planted failure')\n```\n",
            None,
            "planted failure",
        ),
        ("As {cite:t}`no-such-key-1999` showed.\n", None, "no-such-key-1999"),
        # DLBOOK_CELL_TIMEOUT reaches myst-nb (_config.yml's 600 s would let this one finish)
        ("```{code-cell} ipython3\nimport time\ntime.sleep(30)\n```\n", "2", "after 2 seconds"),
        ("# Fine\n", "soon", "DLBOOK_CELL_TIMEOUT='soon': give a whole number of seconds"),
    ],
    ids=["failing cell", "unknown citation", "slow cell", "bad timeout"],
)
def test_the_build_fails_loudly(tmp_path, body, timeout, cause):
    """(The build gets make test's settings and no other: the same answer under the rehearsal's
    make check, which leaves this test to make test's pytest.)"""
    env = unwatched_environment(**tools_settings.offline())
    if timeout is not None:
        env["DLBOOK_CELL_TIMEOUT"] = timeout
    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(ROOT / "_config.yml", book)
    shutil.copy(ROOT / "references.bib", book)
    shutil.copytree(ROOT / "tools", book / "tools")
    (book / "_toc.yml").write_text("format: jb-book\nroot: broken\n")
    (book / "broken.md").write_text(HEADER + "# Broken\n\n" + body)
    result = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(book), "-W"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert cause in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("resolved", "seconds"),
    [
        ("model: random-small on cpu float32; images: offline samples", None),
        ("model: tiny-digits on cpu float32; images: offline samples", None),
        ("model: random-full on cpu float32; images: offline samples", 7200),
        ("model: CompVis/stable-diffusion-v1-4 on cpu float32; images: coco_humans", 7200),
        ("model: CompVis/stable-diffusion-v1-4 on cuda float16; images: coco_humans", None),
    ],
)
def test_full_size_networks_on_a_cpu_get_a_longer_cell_timeout(resolved, seconds):
    """The first full-size rehearsal on a CPU stopped at chapter 5 after _config.yml's 600 s."""
    assert build_book.cell_timeout(resolved) == seconds


def test_every_chapter_cites_and_every_key_exists():
    keys = set(re.findall(r"^@\w+\{([^,]+),", (ROOT / "references.bib").read_text(), re.M))
    for chapter in chapters():
        cited = {
            key.strip()
            for group in re.findall(r"\{cite:[tp]\}`([^`]+)`", (ROOT / f"{chapter}.md").read_text())
            for key in group.split(",")
        }
        assert cited, f"{chapter} cites nothing"
        assert cited <= keys, f"{chapter} cites unknown keys {cited - keys}"


@pytest.mark.environment  # and DLBOOK_REHEARSAL_ARCHIVE, which it leaves as it finds it
def test_auto_on_an_offline_cpu_is_the_same_build_as_random_small(tmp_path, monkeypatch):
    """make book (course defaults: auto) then make test (random-small, offline) must not execute
    every chapter twice; the semester, which only the footer shows, is no part of the build."""
    from dlbook import device, downloads, models

    def no_network(*args, **kwargs):
        raise OSError("simulated: no network")

    monkeypatch.setattr(device, "available_memory", lambda: 64 * 2**30)  # auto may want real ones
    monkeypatch.setattr(models, "hub_reachable", lambda model: False)
    monkeypatch.setattr("huggingface_hub.try_to_load_from_cache", lambda *args, **kw: None)
    monkeypatch.setattr(downloads, "download", no_network)
    monkeypatch.setenv("DLBOOK_DATA", str(tmp_path))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))  # for subprocesses: the stub above
    # is what keeps this process from a cached model (huggingface_hub read HF_HOME at import)
    offline = tools_settings.offline()  # make test's
    monkeypatch.setenv("DLBOOK_DEVICE", offline["DLBOOK_DEVICE"])
    settings = {}
    for model, images, semester in (
        ("auto", "auto", "Fall 2026"),
        (offline["DLBOOK_MODEL"], offline["DLBOOK_IMAGES"], ""),
    ):
        monkeypatch.setenv("DLBOOK_MODEL", model)
        monkeypatch.setenv("DLBOOK_IMAGES", images)
        monkeypatch.setenv("DLBOOK_SEMESTER", semester)
        settings[model] = build_book.resolved_settings()
    assert settings["auto"] == settings[offline["DLBOOK_MODEL"]]
    model, on = offline["DLBOOK_MODEL"], offline["DLBOOK_DEVICE"]
    assert settings["auto"] == f"model: {model} on {on} float32; images: offline samples"
    monkeypatch.setenv("DLBOOK_MODEL", "random-full")
    assert build_book.resolved_settings() != settings["auto"]


def test_a_build_that_asks_for_cuda_without_one_stops_at_once(tmp_path):
    """(make test's settings but the device: see test_the_build_fails_loudly.)"""
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a usable GPU")
    env = unwatched_environment(**tools_settings.offline() | {"DLBOOK_DEVICE": "cuda"})
    command = [sys.executable, "-m", "tools.book.build_book", "--output", str(tmp_path)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "DLBOOK_DEVICE=cuda but torch cannot use a GPU" in result.stderr
    assert not (tmp_path / "_build").exists()  # Jupyter Book never started


def test_errata_list_the_homework_errors_and_chapters_link_to_them():
    text = (ROOT / "book" / "errata.md").read_text()
    numbers = [int(n) for n in re.findall(r"^(\d+)\. \*\*", text, re.M)]
    assert len(numbers) >= 31 and numbers == list(range(1, len(numbers) + 1))
    for label in re.findall(r"^\((errata-ch(\d))\)=", text, re.M):
        chapter = next((ROOT / "book").glob(f"0{label[1]}-*.md"))
        assert f"<{label[0]}>`" in chapter.read_text(), f"{chapter.name} does not link"
