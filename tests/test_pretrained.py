"""dlbook.pretrained: trained weights by hub id or folder, with today's arguments, and every
failure named (gated, unknown, unreachable, not cached, a folder without model_index.json)."""

import httpx2
import pytest
import torch
from huggingface_hub import errors

from dlbook import hub, pretrained
from helpers import fake_hub, run_python, unwatched_environment


def test_folder_without_model_index_is_a_clear_error(tmp_path):
    with pytest.raises(pretrained.ModelLoadError, match="without model_index.json"):
        pretrained.pretrained_pipeline(str(tmp_path), "cpu")


def hub_error(kind, status):
    response = httpx2.Response(status, request=httpx2.Request("GET", "https://hub.invalid/x"))
    return kind("simulated", response=response)


@pytest.mark.environment
@pytest.mark.parametrize(
    ("raised", "message"),
    [
        (hub_error(errors.GatedRepoError, 403), "gated.*HF_TOKEN"),
        (
            hub_error(errors.RepositoryNotFoundError, 404),
            "not found on the Hugging Face Hub",
        ),
        (
            errors.LocalEntryNotFoundError("no network"),
            "could not load 'some/model'",
        ),
    ],
)
def test_hub_failures_name_their_cause(monkeypatch, raised, message):
    from diffusers import StableDiffusionPipeline

    def fail(*args, **kwargs):
        raise raised

    monkeypatch.setattr(StableDiffusionPipeline, "from_pretrained", fail)
    with pytest.raises(pretrained.ModelLoadError, match=message):
        pretrained.pretrained_pipeline("some/model", "cpu")


def test_invalid_id_is_a_clear_error():
    with pytest.raises(
        pretrained.ModelLoadError,
        match="neither an existing folder nor a valid hub id",
    ):
        pretrained.pretrained_pipeline("not a // valid id", "cpu")


@pytest.mark.environment
@pytest.mark.parametrize(
    ("device", "dtype", "variant"),
    [("cpu", torch.float32, None), ("cuda", torch.float16, "fp16")],
)
def test_from_pretrained_arguments(monkeypatch, device, dtype, variant):
    from diffusers import StableDiffusionPipeline

    seen = {}
    monkeypatch.setattr(
        StableDiffusionPipeline,
        "from_pretrained",
        lambda model, **kw: seen.update(kw, model=model),
    )
    monkeypatch.setenv("HF_TOKEN", "hf_test_token")
    pretrained.pretrained_pipeline("CompVis/stable-diffusion-v1-4", device)
    assert seen["model"] == "CompVis/stable-diffusion-v1-4"
    assert seen["dtype"] == dtype and seen.get("variant") == variant
    assert seen["token"] == "hf_test_token"


@pytest.mark.environment
def test_missing_from_cache_without_download_is_a_clear_error():
    with pytest.raises(pretrained.ModelLoadError, match="in the local cache"):
        pretrained.pretrained_pipeline("dlbook-tests/never-cached", "cpu", local_files_only=True)


@pytest.mark.slow  # a fresh interpreter importing diffusers: ~12 s on 2 cores
def test_empty_hf_token_means_no_token(monkeypatch):
    """An unset Actions secret arrives as HF_TOKEN="": the hub must be asked without a token
    (huggingface_hub would send a bare `Bearer ` header, which httpx refuses to send)."""
    with fake_hub() as (hub, requests):
        script = (
            "from dlbook import pretrained\n"
            "try:\n"
            "    pretrained.pretrained_pipeline('dlbook-tests/no-such-model', 'cpu')\n"
            "except pretrained.ModelLoadError as error:\n"
            "    print('ModelLoadError:', error)\n"
        )
        # none of the settings but these: the hub's default cache, as on a reader's machine
        env = unwatched_environment(HF_TOKEN="", HF_ENDPOINT=hub, HF_HUB_OFFLINE="0")
        result = run_python(script, env, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("ModelLoadError: ") and "no-such-model" in result.stdout
    assert requests and all(authorization is None for _, _, authorization in requests)


@pytest.mark.parametrize(("value", "expected"), [("", None), ("  ", None), ("hf_x", "hf_x")])
def test_hf_token_reads_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("HF_TOKEN", value)
    assert hub.hf_token() == expected
