"""The semester build's bad inputs, against the rehearsal's loopback stand-ins
(tools/rehearsal/standins): each stops within seconds with a message naming its cause, and leaves
nothing half-written. (`make rehearsal-fast`, part of make test, runs the whole semester script
against them.)"""

import json
import time
import zipfile

import pytest

from dlbook import data, downloads
from helpers import run_python, unwatched_environment
from tools import settings
from tools.rehearsal.standins import course, hub, weights

MODEL = settings.course().semester_model  # the id the semester build asks the hub for


@pytest.mark.parametrize(
    "value",
    [
        "https://example.org/coco_humans.zip 10 " + "0" * 64,  # not loopback
        "http://127.0.0.1:1/other.zip 10 " + "0" * 64,  # not the course's file name
        "http://127.0.0.1:1/coco_humans.zip 10",  # no SHA-256: checks cannot be loosened
    ],
)
def test_the_rehearsal_override_takes_a_loopback_host_with_its_checks_only(monkeypatch, value):
    monkeypatch.setenv(downloads.REHEARSAL_ARCHIVE, value)
    with pytest.raises(downloads.DataError, match="loopback URL ending in /coco_humans.zip"):
        downloads.course_archive()


@pytest.mark.environment
def test_without_the_override_the_real_url_keeps_its_real_size(monkeypatch):
    monkeypatch.delenv(downloads.REHEARSAL_ARCHIVE, raising=False)
    archive = downloads.course_archive()
    assert archive == {
        "url": downloads.COCO_HUMANS_URL,
        "size": downloads.COCO_HUMANS_SIZE,
        "sha256": downloads.COCO_HUMANS_SHA256,
        "root": downloads.cache_dir(),
    }


@pytest.mark.environment
def test_a_rehearsal_archive_never_lands_where_the_real_one_goes(monkeypatch):
    monkeypatch.setenv(
        downloads.REHEARSAL_ARCHIVE, "http://127.0.0.1:9/coco_humans.zip 10 " + "0" * 64
    )
    assert downloads.course_archive()["root"] == downloads.cache_dir() / "rehearsal"


def test_a_page_built_from_a_loopback_hub_says_it_was_a_rehearsal(monkeypatch):
    from huggingface_hub import constants

    from dlbook import hub as dlbook_hub

    monkeypatch.setattr(constants, "ENDPOINT", "http://127.0.0.1:8123")
    assert "a rehearsal" in dlbook_hub.stand_in_note()
    assert "served random weights" in dlbook_hub.stand_in_note()
    monkeypatch.setattr(constants, "ENDPOINT", "https://huggingface.co")
    assert dlbook_hub.stand_in_note() == ""


@pytest.fixture(scope="module")
def small_archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("course") / "coco_humans.zip"
    return course.write_archive(path, images=12)


def test_the_stand_in_archive_has_the_course_layout(small_archive):
    with zipfile.ZipFile(small_archive) as archive:
        names = archive.namelist()
    assert names[0] == "coco_humans/0000.jpg" and len(names) == 12
    assert {name.split("/")[0] for name in names} == {
        "coco_humans"
    }  # one class, as ImageFolder saw


@pytest.mark.parametrize("fault", ["truncated", "wrong size"])
def test_a_broken_download_of_the_course_set_is_named(small_archive, tmp_path, monkeypatch, fault):
    size, sha256 = course.describe(small_archive)
    truncate = size // 2 if fault == "truncated" else None
    announced = size if fault == "truncated" else size + 1  # the pinned size is not what came
    monkeypatch.setenv("DLBOOK_DATA", str(tmp_path))
    with course.CourseHost(small_archive, truncate=truncate) as host:
        monkeypatch.setenv(downloads.REHEARSAL_ARCHIVE, f"{host.file_url} {announced} {sha256}")
        start = time.monotonic()
        with pytest.raises(downloads.DataError, match="coco_humans.zip") as raised:
            data.image_set("coco_humans", timeout=5)
    assert time.monotonic() - start < 10
    if fault == "wrong size":
        assert f"expected {announced:,}" in str(raised.value)
    folder = tmp_path / "rehearsal"  # the rehearsal's own download folder
    assert folder.is_dir() and not (tmp_path / "coco_humans.zip").exists()
    assert not (folder / "coco_humans").exists()  # never a half-extracted folder
    assert not (folder / "coco_humans.zip").exists()  # nor a file under the final name
    assert not list(folder.glob("*.part"))


# Every refusal of the hub, one interpreter (importing diffusers takes seconds): the case, the
# ModelLoadError's message or "loaded", the seconds it took, and the half-written blobs left.
CASES = """
import json, os, sys, time
from pathlib import Path
from dlbook import models
from diffusers import StableDiffusionPipeline  # imported before the clock starts
from huggingface_hub import constants
cases = json.loads(sys.argv[1])
for name, model, token in cases:
    os.environ["HF_TOKEN"] = token
    start = time.monotonic()
    try:
        models.load_model(model, device="cpu")
        outcome = "loaded"
    except models.ModelLoadError as error:
        outcome = str(error)
    left = [str(p) for p in Path(constants.HF_HUB_CACHE).rglob("*.incomplete")]
    print(json.dumps([name, outcome, time.monotonic() - start, left]), flush=True)
"""


@pytest.mark.slow  # a fresh interpreter importing diffusers, and a small SD written and served
def test_the_hubs_refusals_and_a_stalled_download_are_named_within_seconds(
    tmp_path, record_property
):
    folder = weights.write_repository(tmp_path / "repo", "random-small")
    granted, refused = "hf_granted", "hf_not_granted"
    repos = [
        hub.Repo(MODEL, folder, tokens={granted}, refused={refused}),
        hub.Repo("CompVis/stalled", folder, stall_after=1024),
    ]
    cases = [
        ("no token", MODEL, ""),
        ("wrong token", MODEL, "hf_wrong"),
        ("not granted", MODEL, refused),
        ("unknown id", "CompVis/stable-diffusion-v9", granted),
        ("stalled", "CompVis/stalled", ""),
        ("granted", MODEL, granted),
    ]
    with hub.LoopbackHub(repos) as loopback:
        env = unwatched_environment(  # none of the settings but these (and the token, below)
            HF_ENDPOINT=loopback.url,
            HF_HOME=str(tmp_path / "hf"),
            HF_HUB_DOWNLOAD_TIMEOUT="2",
        )
        result = run_python(CASES.replace("sys.argv[1]", repr(json.dumps(cases))), env, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    outcomes = {name: (outcome, seconds, left) for name, outcome, seconds, left in map(
        json.loads, result.stdout.strip().splitlines())}  # fmt: skip
    expected = {
        "no token": "is gated: accept its license on the Hugging Face Hub, then set HF_TOKEN",
        "wrong token": "the hub rejected HF_TOKEN (invalid or expired)",
        "not granted": "the account of this HF_TOKEN has not been granted access",
        "unknown id": "'CompVis/stable-diffusion-v9' was not found on the Hugging Face Hub",
        "stalled": "the hub stopped answering while 'CompVis/stalled' was being fetched",
        "granted": "loaded",
    }
    # A refusal is one or two requests; a stall is 6 tries of HF_HUB_DOWNLOAD_TIMEOUT (2 s here,
    # 10 s by default: about a minute), then the cause.
    limits = {"stalled": 45, "granted": 120}
    for name, words in expected.items():
        outcome, seconds, left = outcomes[name]
        assert words in outcome, f"{name}: {outcome}"
        assert seconds < limits.get(name, 15), f"{name} took {seconds:.0f} s"
        assert left == [], f"{name} left half-written files: {left}"
    timings = ", ".join(f"{name} {seconds:.1f} s" for name, (_, seconds, _) in outcomes.items())
    record_property("measured", f"hub refusals (HF_HUB_DOWNLOAD_TIMEOUT=2): {timings}")
