"""Chapter 5's picture of diffusion: a real handwritten digit noised step
by step by the forward process (`schedule.add_noise`), and tiny-digits
taking the noisiest of those latents back down to a digit with DDIM's
update, through the same levels.
"""

from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch

from dlbook import diffusion, digits, schedule


@dataclass
class NoisingStrip:
    levels: list[int]  # the timestep t of each column, increasing
    forward: torch.Tensor  # (columns, 3, H, W): the digit noised to each t
    reverse: torch.Tensor  # (columns, 3, H, W): denoised, at the same t
    forward_latents: list[torch.Tensor]  # x_t of each column, (1, 4, h, w)
    start: torch.Tensor  # the latents the reverse run started from


@torch.no_grad()
def noise_and_denoise(pipe, image, prompt, seed=0, steps=20, every=4):
    """Noise `image` to several levels t in closed form, then denoise the
    noisiest back with DDIM's update, decoding at the same levels.

    Args:
        pipe (`StableDiffusionPipeline`):
            tiny-digits (`load_model("tiny-digits").pipe`).
        image (`torch.Tensor` of shape `(1, 3, H, W)`):
            A real digit in [0, 1] (`digits.load`).
        prompt (`str`):
            What the reverse run is asked for, e.g. "a handwritten seven".
        seed (`int`, defaults to 0):
            Seeds the one noise sample ε used at every level.
        steps (`int`, defaults to 20):
            DDIM steps from the noisiest level down to t = 0.
        every (`int`, defaults to 4):
            A column every this many steps.

    Returns:
        `NoisingStrip`: levels [0, ..., t_start], the decoded forward and
        reverse images at each, the forward latents and the start.
    """
    from diffusers import DDIMScheduler

    ddim = DDIMScheduler.from_config(pipe.scheduler.config)
    ddim.set_timesteps(steps)
    timesteps = ddim.timesteps.tolist()  # e.g. 951, 901, ..., 1
    # after k steps the latents are at level timesteps[k]
    reached = [timesteps[k] for k in range(every, steps, every)]
    levels = [0, *reversed(reached), timesteps[0]]
    vae = pipe.vae
    pixels = image.to(vae.device, vae.dtype) * 2 - 1  # the VAE's [-1, 1]
    x0 = vae.encode(pixels).latent_dist.mean * vae.config.scaling_factor
    generator = torch.Generator().manual_seed(seed)
    noise = torch.randn(x0.shape, generator=generator).to(x0)
    alpha_bar = ddim.alphas_cumprod
    noised = [
        schedule.add_noise(x0, noise, alpha_bar[t]) if t else x0
        for t in levels
    ]
    run = diffusion.generate(
        pipe,
        prompt,
        steps=steps,
        guidance_scale=digits.GUIDANCE,
        decode_every=every,
        progress=False,
        scheduler=ddim,
        latents=noised[-1],
    )
    # decoded after `every`, 2 `every`, ... steps, and the final image
    back = [picture for _, picture in run.intermediates[: len(reached)]]
    reverse = [
        run.image,
        *reversed(back),
        diffusion.decode(pipe, noised[-1]),
    ]
    return NoisingStrip(
        levels=levels,
        forward=diffusion.decode(pipe, torch.cat(noised)),
        reverse=torch.cat(reverse),
        forward_latents=noised,
        start=noised[-1],
    )


def draw_noising(strip: NoisingStrip):
    """The strip as two rows of images, one column per level t: the forward
    process above (left to right), the reverse run below (right to left).

    Args:
        strip (`NoisingStrip`):
            From `noise_and_denoise`.

    Returns:
        `matplotlib.figure.Figure`.
    """
    columns = len(strip.levels)
    fig, axes = plt.subplots(
        2, columns, figsize=(1.35 * columns + 1.2, 3.6), layout="constrained"
    )
    rows = (
        ("forward: add noise →", strip.forward),
        ("← reverse: tiny-digits", strip.reverse),
    )
    for row, (name, images) in zip(axes, rows, strict=True):
        for ax, picture, t in zip(row, images, strip.levels, strict=True):
            grey = picture.float().mean(dim=0)
            ax.imshow(grey, cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"t = {t}", fontsize=10)
        row[0].set_ylabel(name, fontsize=10)
    return fig
