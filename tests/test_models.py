"""dlbook.models: the model setting, the offline tokenizer, random and real loading paths."""

import os
import subprocess
import sys

import httpx2
import pytest
import torch
from huggingface_hub import errors

from conftest import fake_hub
from dlbook import diffusion, models

PROMPTS = [
    "a photograph of an astronaut riding a horse",
    "Hello, World!  multiple   spaces",
    "café naïve résumé, 3.14 dollars & cents",
    "New-York's skyline at dusk; oil on canvas",
    "",
    "a " * 100,  # longer than 77 tokens: truncated
]


@pytest.fixture(scope="module")
def tokenizer():
    return models.clip_tokenizer()


def until_eos(ids: torch.Tensor) -> list[int]:
    ids = ids.tolist()
    return ids[: ids.index(49407) + 1]


@pytest.mark.parametrize("prompt", PROMPTS)
def test_tokenizer_matches_open_clip(tokenizer, prompt):
    import open_clip

    ours = tokenizer([prompt], padding="max_length", max_length=77, truncation=True)
    theirs = open_clip.get_tokenizer("ViT-L-14")([prompt])[0]
    # open_clip pads with 0, SD's tokenizer with <|endoftext|>: compare up to the first end token.
    assert until_eos(torch.tensor(ours.input_ids[0])) == until_eos(theirs)


def test_empty_and_prompt_pad_to_77_with_end_token(tokenizer):
    ids = tokenizer(
        ["", "a cat"], padding="max_length", max_length=77, truncation=True, return_tensors="pt"
    ).input_ids
    assert ids.shape == (2, 77) and ids.dtype == torch.int64
    assert ids[0].tolist() == [49406] + [49407] * 76
    assert ids[1, :3].tolist() == [49406, 320, 2368] and (ids[1, 3:] == 49407).all()


def test_bytes_to_unicode_is_a_bijection():
    table = models.bytes_to_unicode()
    assert sorted(table) == list(range(256)) and len(set(table.values())) == 256


def test_vocabulary_layout():
    vocab, merges = models.clip_vocabulary()
    assert len(vocab) == 49408 and len(merges) == 48894
    assert vocab["<|startoftext|>"] == 49406 and vocab["<|endoftext|>"] == 49407


def test_random_small_has_the_real_shapes(small_pipe):
    tokens = torch.zeros(2, 77, dtype=torch.long)
    with torch.no_grad():
        text_vectors = small_pipe.text_encoder(tokens)[0]
        noise = small_pipe.unet(torch.randn(2, 4, 64, 64), 10, encoder_hidden_states=text_vectors)
        image = small_pipe.vae.decode(torch.randn(1, 4, 64, 64)).sample
    assert text_vectors.shape == (2, 77, 768)
    assert noise.sample.shape == (2, 4, 64, 64)
    assert image.shape == (1, 3, 512, 512)


def test_random_pipelines_are_seeded(small_pipe):
    again = models.random_pipeline("random-small", seed=0)
    for a, b in zip(small_pipe.unet.parameters(), again.unet.parameters(), strict=True):
        assert torch.equal(a, b)


def test_unknown_mode_is_rejected():
    with pytest.raises(ValueError, match="random-small"):
        models.random_pipeline("random-tiny")


def test_saved_pipeline_loads_through_the_real_path(small_pipe, tmp_path, monkeypatch):
    """save_pretrained, then the same function readers use for hub ids: identical outputs."""
    small_pipe.save_pretrained(tmp_path)
    assert (tmp_path / "model_index.json").is_file()
    monkeypatch.setenv("DLBOOK_MODEL", str(tmp_path))
    loaded = models.load_model(device="cpu")
    assert loaded.mode == "real" and loaded.source == str(tmp_path)
    expected = diffusion.generate(small_pipe, "a red cube", steps=3, progress=False)
    actual = diffusion.generate(loaded.pipe, "a red cube", steps=3, progress=False)
    assert torch.equal(actual.image, expected.image)


def test_folder_without_model_index_is_a_clear_error(tmp_path):
    with pytest.raises(models.ModelLoadError, match="without model_index.json"):
        models.load_model(str(tmp_path), device="cpu")


def hub_error(kind, status):
    response = httpx2.Response(status, request=httpx2.Request("GET", "https://hub.invalid/x"))
    return kind("simulated", response=response)


@pytest.mark.parametrize(
    ("raised", "message"),
    [
        (hub_error(errors.GatedRepoError, 403), "gated.*HF_TOKEN"),
        (hub_error(errors.RepositoryNotFoundError, 404), "not found on the Hugging Face Hub"),
        (errors.LocalEntryNotFoundError("no network"), "could not load 'some/model'"),
    ],
)
def test_hub_failures_name_their_cause(monkeypatch, raised, message):
    from diffusers import StableDiffusionPipeline

    def fail(*args, **kwargs):
        raise raised

    monkeypatch.setattr(StableDiffusionPipeline, "from_pretrained", fail)
    with pytest.raises(models.ModelLoadError, match=message):
        models.load_model("some/model", device="cpu")


def test_invalid_id_is_a_clear_error():
    with pytest.raises(
        models.ModelLoadError, match="neither an existing folder nor a valid hub id"
    ):
        models.load_model("not a // valid id", device="cpu")


@pytest.mark.parametrize(
    ("device", "dtype", "variant"), [("cpu", torch.float32, None), ("cuda", torch.float16, "fp16")]
)
def test_from_pretrained_arguments(monkeypatch, device, dtype, variant):
    from diffusers import StableDiffusionPipeline

    seen = {}
    monkeypatch.setattr(
        StableDiffusionPipeline, "from_pretrained", lambda model, **kw: seen.update(kw, model=model)
    )
    monkeypatch.setenv("HF_TOKEN", "hf_test_token")
    models.pretrained_pipeline("CompVis/stable-diffusion-v1-4", device)
    assert seen["model"] == "CompVis/stable-diffusion-v1-4"
    assert seen["dtype"] == dtype and seen.get("variant") == variant
    assert seen["token"] == "hf_test_token"


def test_auto_falls_back_to_random_small_without_hub(monkeypatch):
    from huggingface_hub import HfApi

    from dlbook import device

    monkeypatch.setattr(device, "available_memory", lambda: 64 * 2**30)  # room for real weights

    timeouts = []

    def unreachable(self, repo_id, timeout=None, **kwargs):
        timeouts.append(timeout)
        raise ConnectionError("simulated: no network")

    def not_cached(model, device, local_files_only=False):
        assert local_files_only, "auto must not download before the hub answered"
        raise models.ModelLoadError("not cached")

    monkeypatch.setattr(HfApi, "model_info", unreachable)
    monkeypatch.setattr(models, "pretrained_pipeline", not_cached)
    monkeypatch.delenv("DLBOOK_MODEL", raising=False)
    loaded = models.load_model(device="cpu")
    assert loaded.mode == "random-small" and loaded.random
    assert "neither cached nor reachable" in loaded.note
    assert timeouts and all(t is not None and t <= 10 for t in timeouts), "the probe must time out"
    assert "random weights" in models.describe(loaded)
    assert "DLBOOK_MODEL=CompVis/stable-diffusion-v1-4" in models.describe(loaded)


def test_missing_from_cache_without_download_is_a_clear_error():
    with pytest.raises(models.ModelLoadError, match="in the local cache"):
        models.pretrained_pipeline("dlbook-tests/never-cached", "cpu", local_files_only=True)


def test_random_full_pipeline_assembles_at_full_size():
    """random-full (for GPU runners without the hub) builds SD v1-4's real architectures; on the
    meta device that costs no memory and checks every config and constructor."""
    with torch.device("meta"):
        pipe = models.random_pipeline("random-full")
    scalars = sum(p.numel() for p in pipe.unet.parameters())
    assert scalars == 859_520_964
    assert pipe.text_encoder.config.num_hidden_layers == 12
    assert pipe.vae.config.block_out_channels == [128, 256, 512, 512]


def test_empty_hf_token_means_no_token(monkeypatch):
    """An unset Actions secret arrives as HF_TOKEN="": the hub must be asked without a token
    (huggingface_hub would send a bare `Bearer ` header, which httpx refuses to send)."""
    with fake_hub() as (hub, requests):
        script = (
            "from dlbook import models\n"
            "try:\n"
            "    models.pretrained_pipeline('dlbook-tests/no-such-model', 'cpu')\n"
            "except models.ModelLoadError as error:\n"
            "    print('ModelLoadError:', error)\n"
        )
        env = {**os.environ, "HF_TOKEN": "", "HF_ENDPOINT": hub, "HF_HUB_OFFLINE": "0"}
        env.pop("HF_HOME", None)
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
        )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("ModelLoadError: ") and "no-such-model" in result.stdout
    assert requests and all(authorization is None for _, _, authorization in requests)


@pytest.mark.parametrize(("value", "expected"), [("", None), ("  ", None), ("hf_x", "hf_x")])
def test_hf_token_reads_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("HF_TOKEN", value)
    assert models.hf_token() == expected


def test_auto_keeps_real_weights_off_a_cpu_without_room(monkeypatch):
    """Binder or a small laptop: auto must not download 5.5 GB it cannot run."""
    from dlbook import device

    def no_probing(*args, **kwargs):
        raise AssertionError("auto looked for real weights on a CPU without room for them")

    monkeypatch.setattr(device, "available_memory", lambda: 2 * 2**30)
    monkeypatch.setattr(models, "pretrained_pipeline", no_probing)
    monkeypatch.setattr(models, "hub_reachable", no_probing)
    loaded = models.load_model("auto", device="cpu")
    assert loaded.mode == "random-small"
    assert "2.0 GB of memory is available" in loaded.note
