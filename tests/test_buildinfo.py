"""tools/sphinx/buildinfo.py: what the footer of every page reports."""

import pytest
import torch

import dlbook
from tools.sphinx import buildinfo
from tools.sphinx.buildinfo import footer_html


@pytest.mark.environment
def test_the_footer_names_the_setting_as_the_chapters_read_it(monkeypatch):
    """dlbook's own fallback where nothing sets it; the build exports _config.yml's first."""
    from dlbook import models

    monkeypatch.delenv("DLBOOK_MODEL", raising=False)
    assert buildinfo.describe()["model"] == models.model_setting() == "auto"
    monkeypatch.setenv("DLBOOK_MODEL", "random-full")
    assert buildinfo.describe()["model"] == "random-full"


def test_build_date_honours_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert buildinfo.build_date() == "2023-11-14"


@pytest.mark.environment
def test_describe_names_versions_and_device(monkeypatch):
    monkeypatch.setenv("DLBOOK_MODEL", "auto")
    info = buildinfo.describe()
    assert info["torch"] == torch.__version__.split("+")[0]
    assert info["dlbook"] == dlbook.__version__  # pyproject's: test_version.py
    assert info["device"].startswith("CUDA" if torch.cuda.is_available() else "CPU")


def test_footer_escapes_and_lists_everything():
    html = footer_html(
        {
            "date": "2026-01-01",
            "device": "CPU <2>",
            "model": "auto",
            "torch": "2.14.1",
        }
    )
    assert "CPU &lt;2&gt;" in html
    assert "DLBOOK_MODEL=auto" in html and "torch 2.14.1" in html
