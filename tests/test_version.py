"""The version is stated once, in pyproject.toml: dlbook.__version__ reads it
from the installed package's metadata, and CITATION.cff, which cannot read it,
is checked against it."""

import importlib
import tomllib
from importlib import metadata
from pathlib import Path

import yaml

import dlbook

ROOT = Path(__file__).resolve().parents[1]


def pyproject_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_citation_states_pyprojects_version():
    # BaseLoader keeps every scalar a string: `version: 1.10` stays "1.10", not 1.1.
    citation = yaml.load((ROOT / "CITATION.cff").read_text(), Loader=yaml.BaseLoader)
    assert citation["version"] == pyproject_version(), (
        "CITATION.cff's version differs from pyproject.toml's: change it there too"
    )


def test_dunder_version_is_the_installed_pyprojects():
    # A mismatch means the editable install predates a version change: `make book` reinstalls.
    assert dlbook.__version__ == pyproject_version()


def test_dunder_version_without_metadata_says_unknown(monkeypatch):
    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "version", missing)
    try:
        assert importlib.reload(dlbook).__version__ == "0+unknown"
    finally:
        monkeypatch.undo()
        importlib.reload(dlbook)
    assert dlbook.__version__ == pyproject_version()
