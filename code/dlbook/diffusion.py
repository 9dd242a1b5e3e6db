"""Chapter 5: Stable Diffusion by hand, tokens → text vectors → latents
→ RGB.

The steps follow diffusers' StableDiffusionPipeline.__call__, written out so
each tensor can be looked at: classifier-free guidance (Ho & Salimans, 2022)
with PNDM's PLMS sampler (Liu et al., 2022) in the latent space of an
autoencoder (Rombach et al., 2022).
"""

from dataclasses import dataclass, field

import numpy as np
import torch

# plain text: the same bar in a terminal, a notebook and the book
from tqdm import tqdm


@dataclass
class Run:
    image: torch.Tensor  # (1, 3, 512, 512) in [0, 1]
    latents: torch.Tensor  # the final latents, (1, 4, 64, 64)
    # (step, image)
    intermediates: list[tuple[int, torch.Tensor]] = field(
        default_factory=list
    )
    shapes: list[tuple[str, tuple[int, ...], str]] = field(
        default_factory=list
    )
    unet_calls: int = 0


# What each axis of the recorded tensors means (the shape table's axes).
IMAGE_AXES = "batch, channel, height, width"
AXES = {
    "tokens": "batch, position",
    "text_vectors": "batch, position, feature",
    "timesteps": "step",
    **dict.fromkeys(
        ("latents", "latent_input", "noise_pred", "guided", "image"),
        IMAGE_AXES,
    ),
}


def initial_latents(
    seed: int, shape=(1, 4, 64, 64), dtype=torch.float32
) -> torch.Tensor:
    """Gaussian noise from numpy's RandomState, identical on every device and
    platform.

    Args:
        seed (`int`):
            Seeds the RandomState.
        shape (`tuple[int]`, defaults to `(1, 4, 64, 64)`):
            SD v1-4's latents for one 512 × 512 image.
        dtype (`torch.dtype`, defaults to `torch.float32`):
            The dtype returned (numpy draws float64).

    Returns:
        `torch.Tensor` of `shape`, on the CPU.
    """
    # float64: cast before use
    noise = np.random.RandomState(seed).randn(*shape)
    return torch.from_numpy(noise).to(dtype)


def decode(pipe, latents: torch.Tensor) -> torch.Tensor:
    """Latents → RGB in [0, 1], on the CPU in float32.

    Args:
        pipe (`StableDiffusionPipeline`):
            Its VAE decodes; its image processor maps to [0, 1].
        latents (`torch.Tensor` of shape `(B, 4, h, w)`):
            As the UNet sees them, scaled by the VAE's scaling factor.

    Returns:
        `torch.Tensor` of shape `(B, 3, H, W)`: 512 × 512 for SD v1-4.
    """
    # The UNet works on latents times scaling_factor (unit variance); the
    # autoencoder never saw the factor, so divide it out before decoding.
    # (B, 3, 512, 512)
    image = pipe.vae.decode(latents / pipe.vae.config.scaling_factor).sample
    # diffusers' VaeImageProcessor maps the decoder's [-1, 1] to [0, 1] and
    # clamps.
    return (
        pipe.image_processor.postprocess(image, output_type="pt")
        .float()
        .cpu()
    )


@torch.no_grad()
def generate(
    pipe,
    prompt: str | list[str],
    seed: int = 0,
    steps: int = 33,
    guidance_scale: float = 7.5,
    decode_every: int = 0,
    progress: bool = True,
    scheduler=None,
    latents: torch.Tensor | None = None,
) -> Run:
    """Text to image with classifier-free guidance, one numbered step at a
    time.

    Args:
        pipe (`StableDiffusionPipeline`):
            Supplies the tokenizer, text encoder, UNet, VAE and scheduler.
        prompt (`str` or `list[str]`):
            A list makes one image per prompt, from one seeded batch of
            noise.
        seed (`int`, defaults to 0):
            Seeds the initial latents (`initial_latents`).
        steps (`int`, defaults to 33):
            The number of denoising steps the scheduler is set to.
        guidance_scale (`float`, defaults to 7.5):
            s in ε_u + s (ε_c − ε_u): 0 ignores the prompt, 1 is the
            conditional prediction alone.
        decode_every (`int`, defaults to 0):
            Also decode the latents after every this many steps; 0 never.
        progress (`bool`, defaults to `True`):
            Show a progress bar over the steps.
        scheduler (*optional*):
            Replaces the pipeline's, e.g. `schedule.PLMS(config)`.
        latents (`torch.Tensor`, *optional*):
            Start from these instead of seeded noise, e.g. an image's
            latents noised to the scheduler's first timestep.

    Returns:
        `Run`: the images `(B, 3, H, W)` in [0, 1] on the CPU, the final
        latents, the decoded intermediates, the shape and dtype of each
        tensor the steps make, and the number of UNet calls.
    """
    tokenizer, text_encoder = pipe.tokenizer, pipe.text_encoder
    unet, scheduler = pipe.unet, scheduler or pipe.scheduler
    device, dtype = unet.device, unet.dtype
    shapes = []

    def note(name, tensor):
        dtype_name = str(tensor.dtype).removeprefix("torch.")
        shapes.append((name, tuple(tensor.shape), dtype_name))

    prompts = [prompt] if isinstance(prompt, str) else list(prompt)
    batch = len(prompts)

    # 1. Tokenize: the empty prompt (for the unconditional prediction) and
    # the prompt, as one batch (shapes in the comments: SD v1-4, one prompt).
    tokens = tokenizer(
        [""] * batch + prompts,
        padding="max_length",
        max_length=tokenizer.model_max_length,
        truncation=True,
        return_tensors="pt",
    ).input_ids  # (2, 77)
    note("tokens", tokens)

    # 2. Encode: one 768-vector per token position.
    text_vectors = text_encoder(tokens.to(device))[0]  # (2, 77, 768)
    note("text_vectors", text_vectors)

    # 3. Timesteps: PNDM (skip_prk_steps) evaluates the first step twice.
    scheduler.set_timesteps(steps, device=device)
    note("timesteps", scheduler.timesteps)

    # 4. Initial latents: seeded noise (unless given), scaled to the
    # scheduler's starting standard deviation.
    if latents is None:
        size = unet.config.sample_size  # 64 for SD v1-4
        shape = (batch, unet.config.in_channels, size, size)
        latents = initial_latents(seed, shape)
    latents = latents.to(device, dtype) * scheduler.init_noise_sigma
    note("latents", latents)

    # 5. Denoise: predict the noise with and without the prompt, extrapolate,
    # step.
    run = Run(image=torch.empty(0), latents=latents)
    bar = tqdm(scheduler.timesteps, desc="denoising", disable=not progress)
    for i, t in enumerate(bar):
        latent_input = torch.cat([latents] * 2)  # (2, 4, 64, 64)
        latent_input = scheduler.scale_model_input(latent_input, t)
        noise_pred = unet(latent_input, t, text_vectors).sample
        run.unet_calls += 1
        noise_uncond, noise_text = noise_pred.chunk(2)  # (1, 4, 64, 64) each
        guided = noise_uncond + guidance_scale * (noise_text - noise_uncond)
        latents = scheduler.step(guided, t, latents).prev_sample
        if i == 0:
            note("latent_input", latent_input)
            note("noise_pred", noise_pred)
            note("guided", guided)
        if decode_every and (i + 1) % decode_every == 0:
            run.intermediates.append((i + 1, decode(pipe, latents)))

    # 6. Decode the final latents to RGB.
    run.latents = latents
    run.image = decode(pipe, latents)  # (1, 3, 512, 512)
    note("image", run.image)
    run.shapes = shapes
    return run
