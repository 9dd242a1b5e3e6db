"""dlbook.networks: SD v1-4's networks from configs, random and seeded."""

import pytest
import torch

from dlbook import networks


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
    again = networks.random_pipeline("random-small", seed=0)
    for a, b in zip(small_pipe.unet.parameters(), again.unet.parameters(), strict=True):
        assert torch.equal(a, b)


def test_unknown_mode_is_rejected():
    with pytest.raises(ValueError, match="random-small"):
        networks.random_pipeline("random-tiny")


def test_random_full_pipeline_assembles_at_full_size():
    """random-full (for GPU runners without the hub) builds SD v1-4's real architectures; on the
    meta device that costs no memory and checks every config and constructor."""
    with torch.device("meta"):
        pipe = networks.random_pipeline("random-full")
    scalars = sum(p.numel() for p in pipe.unet.parameters())
    assert scalars == 859_520_964
    assert pipe.text_encoder.config.num_hidden_layers == 12
    assert pipe.vae.config.block_out_channels == [128, 256, 512, 512]
