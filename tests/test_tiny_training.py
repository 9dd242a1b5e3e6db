"""How tiny-digits was trained (chapter 5 shows train_denoiser): both stages run, return
networks ready to sample, and are deterministic under a seed, which the shipped weights' claim
to be reproducible bit for bit rests on (the whole script: test_digits.py)."""

import math

import pytest
import torch
from diffusers import PNDMScheduler

from dlbook import tiny_training
from dlbook.networks import read_config
from dlbook.tokenizer import clip_tokenizer


def run_denoiser(steps=3):
    torch.manual_seed(0)
    latents = torch.randn(32, 4, 8, 8)
    labels = torch.arange(32) % 10
    tokenizer = clip_tokenizer(tiny_training.TEXT["max_position_embeddings"])
    scheduler = PNDMScheduler.from_config(read_config("sd-v1-4", "scheduler"))
    lines = []
    result = tiny_training.train_denoiser(
        latents, labels, tokenizer, scheduler, steps, lines.append
    )
    return result, lines


def test_the_denoiser_trains_and_comes_back_ready_to_sample():
    (text_encoder, unet, loss), lines = run_denoiser()
    assert not text_encoder.training and not unet.training
    assert math.isfinite(loss) and 0 < loss < 10
    assert lines[0].startswith("denoiser step     0") and lines[-1].startswith(
        "denoiser step     2"
    )
    with torch.no_grad():
        vectors = text_encoder(torch.zeros(2, 16, dtype=torch.long))[0]
        out = unet(torch.randn(2, 4, 8, 8), 10, encoder_hidden_states=vectors).sample
    assert vectors.shape == (2, 16, 32) and out.shape == (2, 4, 8, 8)


@pytest.mark.slow  # two short trainings
def test_the_same_seed_trains_the_same_weights():
    """With deterministic algorithms, as the training script sets them: otherwise the text
    vectors' indexing accumulates its gradient in whatever order the threads finish."""
    torch.use_deterministic_algorithms(True)
    try:
        (_, first, loss_1), _ = run_denoiser(2)
        (_, second, loss_2), _ = run_denoiser(2)
    finally:
        torch.use_deterministic_algorithms(False)
    assert loss_1 == loss_2
    for a, b in zip(first.parameters(), second.parameters(), strict=True):
        assert torch.equal(a, b)


def test_the_autoencoder_halves_each_side():
    torch.manual_seed(0)
    vae, loss = tiny_training.train_vae(torch.rand(8, 3, 16, 16), 2, lambda line: None)
    assert not vae.training and math.isfinite(loss)
    with torch.no_grad():
        assert vae.encode(torch.rand(1, 3, 16, 16)).latent_dist.mean.shape == (1, 4, 8, 8)
