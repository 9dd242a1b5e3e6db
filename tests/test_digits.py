"""tiny-digits: the shipped model loads through from_pretrained, runs chapter 5's loop unchanged,
draws the digit it is asked for, and its training script runs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from dlbook import diffusion, digits, models, notice, pretrained
from dlbook.tokenizer import clip_tokenizer
from helpers import ROOT, unwatched_environment
from tools import settings


@pytest.fixture(scope="module")
def tiny():
    models.quiet_loading()
    return models.load_model(models.TINY, device="cpu")


@pytest.fixture(scope="module")
def data():
    return digits.load()


@pytest.mark.environment
def test_loads_through_from_pretrained_with_sd_parts(tiny):
    from diffusers import AutoencoderKL, PNDMScheduler, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTokenizer

    pipe = tiny.pipe
    assert tiny.mode == "tiny-digits" and not tiny.random
    assert isinstance(pipe.tokenizer, CLIPTokenizer) and pipe.tokenizer.model_max_length == 16
    assert isinstance(pipe.text_encoder, CLIPTextModel)
    assert isinstance(pipe.vae, AutoencoderKL) and isinstance(pipe.scheduler, PNDMScheduler)
    assert isinstance(pipe.unet, UNet2DConditionModel) and pipe.safety_checker is None
    assert pipe.unet.dtype == torch.float32  # stored in float16, cast back on a CPU
    assert "tiny-digits" in notice.describe(tiny)


def test_shipped_files_are_small_and_say_where_they_come_from():
    folder = Path(str(digits.folder()))
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    assert size <= 10 * 2**20
    provenance = json.loads((folder / "PROVENANCE.json").read_text())
    assert provenance["seed"] == 0 and len(provenance["commit"]) == 40
    assert provenance["uncommitted"] == [], "the shipped weights come from a committed script"
    assert set(provenance["final_loss"]) == {"autoencoder", "denoiser"}
    assert provenance["steps"]["denoiser"] > 0 and "load_digits" in provenance["data"]


@pytest.mark.environment
def test_the_chapters_loop_equals_diffusers_on_it(tiny):
    pipe, prompt = tiny.pipe, "a handwritten seven"
    run = diffusion.generate(pipe, prompt, steps=20, guidance_scale=2, progress=False)
    assert run.image.shape == (1, 3, digits.SIZE, digits.SIZE)
    latents = diffusion.initial_latents(0, (1, 4, digits.SIZE // 2, digits.SIZE // 2))
    reference = pipe(
        prompt,
        num_inference_steps=20,
        guidance_scale=2,
        latents=latents,
        output_type="pt",
    ).images
    torch.testing.assert_close(run.image, reference, rtol=0, atol=1e-6)


def test_data_split_is_seeded_and_disjoint(data):
    train, held_out = data
    assert len(train.labels) + len(held_out.labels) == 1797
    assert train.images.shape[1:] == (3, 16, 16)
    assert train.images.min() >= 0 and train.images.max() <= 1
    again, _ = digits.load()
    assert torch.equal(again.labels, train.labels)


def test_the_judge_reads_real_digits(data):
    train, held_out = data
    judge = digits.classifier(train)
    accuracy = (judge.predict(digits.features(held_out.images)) == held_out.labels.numpy()).mean()
    assert accuracy >= 0.9


@pytest.mark.environment
def test_shipped_model_draws_the_digit_asked_for(tiny, data):
    train, _ = data
    judge = digits.classifier(train)
    [row] = digits.sweep(tiny.pipe, judge, train, [digits.GUIDANCE], per_digit=10, seed=1)
    assert row.recognised >= 0.8, row.recognised
    assert row.images.shape == (10, 10, 3, 16, 16)


def test_diversity_is_zero_for_copies_and_grows_with_spread():
    image = torch.rand(1, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    assert digits.diversity(image.repeat(4, 1, 1, 1)) == 0
    noisy = image + 0.1 * torch.randn(4, 3, 16, 16, generator=torch.Generator().manual_seed(1))
    assert digits.diversity(noisy) > 0


@pytest.mark.slow  # a fresh interpreter importing diffusers: ~12 s on 2 cores
def test_training_script_smoke(tmp_path, monkeypatch):
    """A few steps of the real script: it trains, writes a folder that loads, and records it.
    (No setting of the environment reaches it: the same answer under the rehearsal's make check,
    which leaves it to make test's pytest.)"""
    for name in ("HF_TOKEN", "HF_DEACTIVATE_ASYNC_LOAD"):  # a local folder, the defaults
        monkeypatch.delenv(name, raising=False)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tools.models.train_tiny_digits",
            "--scale",
            "0.002",
        ]
        # this worker's share of the cores (conftest.py), not the reference machine's two
        + ["--threads", str(torch.get_num_threads()), "--out", str(tmp_path)],
        cwd=ROOT,
        env=unwatched_environment(**settings.offline()),  # make test's settings alone
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    provenance = json.loads((tmp_path / "PROVENANCE.json").read_text())
    assert provenance["steps"]["denoiser"] == 4
    tokenizer = clip_tokenizer(16)
    pipe = pretrained.pretrained_pipeline(str(tmp_path), "cpu", tokenizer=tokenizer)
    assert pipe.vae.config.scaling_factor == provenance["scaling_factor"]


def test_training_noises_exactly_as_schedule_add_noise_did_inline():
    """The training script calls schedule.add_noise, where it wrote √ᾱ x0 + √(1 − ᾱ) ε out with
    Tensor.sqrt before; the shipped weights stay valid only if the two are the same bits
    (a retraining reproduces them bit for bit, PROVENANCE.json)."""
    from diffusers import PNDMScheduler

    from dlbook import schedule
    from dlbook.networks import read_config

    alphas = PNDMScheduler.from_config(read_config("sd-v1-4", "scheduler")).alphas_cumprod
    generator = torch.Generator().manual_seed(0)
    x0 = torch.randn(128, 4, 4, 4, generator=generator)  # the training batch's shape and dtype
    noise = torch.randn(x0.shape, generator=generator)
    t = torch.randint(0, len(alphas), (128,), generator=generator)
    a = alphas[t].view(-1, 1, 1, 1)
    inline = a.sqrt() * x0 + (1 - a).sqrt() * noise  # the script's former line
    assert torch.equal(schedule.add_noise(x0, noise, a), inline)
    # the comparison sees a change of arithmetic: the same formula in float64 differs
    assert not torch.equal(schedule.add_noise(x0, noise, a.double()).float(), inline)
