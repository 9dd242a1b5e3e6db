"""Shared fixtures, and how `make test` shares the cores (the helpers are in helpers.py)."""

import os
from pathlib import Path

import pytest
import yaml

import environment_marker
from helpers import BROWSE, CHROMIUM, CHROMIUM_ARGS, HTML, ROOT

# `make test` runs pytest-xdist with a worker per core (-n logical --dist loadfile). Each worker,
# and every kernel or interpreter it starts, gets its share of the cores: two workers each
# spinning up torch's two threads on two cores ran chapter 5's guidance sweep 9x slower.
if workers := os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    os.environ["OMP_NUM_THREADS"] = str(max(1, (os.cpu_count() or 1) // int(workers)))

# The longest files first (bench/test_time.py measures them), so that no worker is left with one
# of them at the end while the other waits: xdist hands out files in collection order.
LONGEST_FIRST = (
    "tests/test_grading.py",  # make assignments, then a class of notebooks graded
    "tests/test_student_notebooks.py",  # six notebooks in a fresh venv, ~170 s
    "tests/test_browser.py",  # axe-core on every instructor page at two widths, Tab walks
    "tests/test_accessibility.py",  # axe-core on every student page at two widths
    "tests/test_digits.py",
    "tests/test_offline.py",
    "tests/test_models.py",
    "tests/test_diffusion.py",
)


def pytest_configure(config):
    """Every test that depends on the environment must say so (tests/environment_marker.py)."""
    environment_marker.pytest_configure(config)


def pytest_collection_modifyitems(items):
    def rank(item):
        path = item.nodeid.split("::")[0]
        return LONGEST_FIRST.index(path) if path in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: each file's tests, and a notebook's cells, stay in order


def pytest_report_header():
    if BROWSE:  # never a silent narrowing
        return f"browser checks visit only {', '.join(BROWSE)} (DLBOOK_BROWSE)"


def pytest_terminal_summary(terminalreporter):
    """What tests measured (record_property("measured", ...)), e.g. each published notebook's
    size, run time and peak memory."""
    lines = [
        value
        for report in terminalreporter.getreports("passed")
        for key, value in report.user_properties
        if key == "measured"
    ]
    if lines:
        terminalreporter.section("measured")
        for line in sorted(lines):
            terminalreporter.write_line(line)


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


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, driven by Playwright (tests/test_browser.py and others)."""
    if CHROMIUM is None:
        pytest.skip(
            "Debian's chromium is not installed "
            "(make test installs it: tools/book/install_chromium.sh)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
