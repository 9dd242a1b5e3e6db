"""Chapter 5: the by-hand loop equals diffusers' own pipeline, with the shapes the chapter shows."""

import numpy as np
import pytest
import torch

from dlbook import diffusion

PROMPT = "a photograph of an astronaut riding a horse"


@pytest.fixture(scope="module")
def pipe(small_pipe):
    return small_pipe


@pytest.fixture(scope="module")
def run(pipe):
    return diffusion.generate(pipe, PROMPT, seed=0, decode_every=8, progress=False)


def pipeline_image(pipe, seed, steps=33, guidance_scale=7.5):
    """diffusers' own StableDiffusionPipeline.__call__ from the same initial latents."""
    latents = diffusion.initial_latents(seed)
    return pipe(
        PROMPT,
        num_inference_steps=steps,
        guidance_scale=guidance_scale,
        latents=latents,
        output_type="pt",
    ).images


def test_by_hand_equals_the_pipeline(pipe, run):
    """To float32 rounding: the pipeline encodes the empty prompt and the prompt as two batches
    of one, this loop as one batch of two, and with two threads a matrix product splits its
    sums differently for the two (1.7e-6 apart in the image on a 2-core Xeon; 0 with one
    thread)."""
    torch.testing.assert_close(run.image, pipeline_image(pipe, seed=0), rtol=0, atol=1e-5)


def test_given_latents_are_where_the_loop_starts(pipe):
    """generate(latents=...) (chapter 5's noised digit) is the seeded run when handed its noise."""
    seeded = diffusion.generate(pipe, PROMPT, seed=4, steps=2, progress=False)
    given = diffusion.generate(
        pipe, PROMPT, steps=2, progress=False, latents=diffusion.initial_latents(4)
    )
    assert torch.equal(seeded.image, given.image)


def test_thirty_three_steps_make_thirty_four_unet_calls(pipe, run):
    assert run.unet_calls == 34
    pipe.scheduler.set_timesteps(33)  # other tests share this scheduler
    timesteps = pipe.scheduler.timesteps.tolist()
    assert len(timesteps) == 34 and timesteps[1] == timesteps[2]  # the repeated warm-up step


def test_shapes_and_dtypes(run):
    shapes = {name: (shape, dtype) for name, shape, dtype in run.shapes}
    assert shapes["tokens"] == ((2, 77), "int64")
    assert shapes["text_vectors"] == ((2, 77, 768), "float32")
    assert shapes["latents"] == ((1, 4, 64, 64), "float32")
    assert shapes["latent_input"] == ((2, 4, 64, 64), "float32")
    assert shapes["noise_pred"] == ((2, 4, 64, 64), "float32")
    assert shapes["guided"] == ((1, 4, 64, 64), "float32")
    assert shapes["image"] == ((1, 3, 512, 512), "float32")
    assert run.image.min() >= 0 and run.image.max() <= 1


def test_intermediates_every_k_steps(run):
    assert [step for step, _ in run.intermediates] == [8, 16, 24, 32]
    assert all(image.shape == (1, 3, 512, 512) for _, image in run.intermediates)


def test_initial_latents_are_numpy_noise_in_float32():
    latents = diffusion.initial_latents(7)
    assert latents.dtype == torch.float32 and latents.shape == (1, 4, 64, 64)
    expected = np.random.RandomState(7).randn(1, 4, 64, 64).astype(np.float32)
    assert np.array_equal(latents.numpy(), expected)
    assert not torch.equal(latents, diffusion.initial_latents(8))


def test_seed_determines_the_image(pipe):
    a = diffusion.generate(pipe, PROMPT, seed=1, steps=2, progress=False)
    b = diffusion.generate(pipe, PROMPT, seed=1, steps=2, progress=False)
    c = diffusion.generate(pipe, PROMPT, seed=2, steps=2, progress=False)
    assert torch.equal(a.image, b.image) and not torch.equal(a.image, c.image)


def test_guidance_scale_one_is_the_conditional_prediction(pipe):
    """u + 1·(c − u) = c: with s = 1 the empty prompt must not matter.

    diffusers then skips the unconditional half altogether (batch 1 instead of 2), so the two
    agree to float32 rounding, not bit for bit.
    """
    run = diffusion.generate(pipe, PROMPT, seed=3, steps=2, guidance_scale=1.0, progress=False)
    conditional = pipeline_image(pipe, seed=3, steps=2, guidance_scale=1.0)
    torch.testing.assert_close(run.image, conditional, rtol=0, atol=1e-5)
    guided = diffusion.generate(pipe, PROMPT, seed=3, steps=2, guidance_scale=7.5, progress=False)
    assert (guided.image - conditional).abs().max() > 1e-3
