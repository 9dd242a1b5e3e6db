"""How tiny-digits was trained: chapter 5's model, Stable Diffusion's parts
at toy size, trained on scikit-learn's digits.

The autoencoder is trained first (reconstruction and a small KL term, as in
Rombach et al., 2022); then the UNet and the text encoder learn to predict
the noise together (the loss of Ho et al., 2020), with the caption dropped
one time in ten so that classifier-free guidance has an unconditional
prediction to push away from. `tools/models/train_tiny_digits.py` runs these
from a fixed seed and writes the weights into the package.
"""

import math

import torch
from diffusers import AutoencoderKL, UNet2DConditionModel
from transformers import CLIPTextConfig, CLIPTextModel

from dlbook import digits
from dlbook.schedule import add_noise

VAE_STEPS, UNET_STEPS = 400, 2000
DROP_CAPTION = 0.1
TEXT = dict(
    vocab_size=49408,  # CLIP's vocabulary: the real tokenizer's ids
    hidden_size=32,
    intermediate_size=64,
    num_hidden_layers=2,
    num_attention_heads=2,
    max_position_embeddings=16,  # captions are short; SD's is 77
    projection_dim=32,
)
VAE = dict(
    in_channels=3,
    out_channels=3,
    down_block_types=["DownEncoderBlock2D"] * 2,
    up_block_types=["UpDecoderBlock2D"] * 2,
    block_out_channels=[32, 64],
    layers_per_block=1,
    latent_channels=4,
    norm_num_groups=16,
    sample_size=digits.SIZE,
)
UNET = dict(
    # the autoencoder halves each side; SD's divides by 8
    sample_size=digits.SIZE // 2,
    in_channels=4,
    out_channels=4,
    down_block_types=["CrossAttnDownBlock2D", "DownBlock2D"],
    up_block_types=["UpBlock2D", "CrossAttnUpBlock2D"],
    block_out_channels=[32, 64],
    layers_per_block=1,
    cross_attention_dim=TEXT["hidden_size"],
    attention_head_dim=8,
    norm_num_groups=16,
)


def cosine_lr(optimizer, steps: int, warmup: int = 50):
    """A linear warm-up over `warmup` steps, then a cosine decay to 0."""

    def factor(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (
            1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup))
        )

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def train_vae(images: torch.Tensor, steps: int, log):
    """Train the autoencoder to reproduce `images` (N, 3, 16, 16) in [0, 1]
    through its latents; returns it in eval mode and the last loss."""
    vae = AutoencoderKL(**VAE)
    optimizer = torch.optim.AdamW(vae.parameters(), lr=2e-3, weight_decay=0)
    schedule = cosine_lr(optimizer, steps)
    x_all = images * 2 - 1  # the autoencoder works in [-1, 1], as SD's does
    loss = torch.tensor(0.0)
    for step in range(steps):
        x = x_all[torch.randint(0, len(x_all), (64,))]
        posterior = vae.encode(x).latent_dist
        reconstruction = vae.decode(posterior.sample()).sample
        loss = (
            torch.nn.functional.mse_loss(reconstruction, x)
            + 1e-6 * posterior.kl().mean()
        )
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 100 == 0 or step == steps - 1:
            log(f"autoencoder step {step:5d}  loss {loss.item():.4f}")
    return vae.eval(), loss.item()


def train_denoiser(latents, labels, tokenizer, scheduler, steps: int, log):
    """Train a text encoder and a UNet together to predict the noise in
    noised latents: the loss of chapter 5's equation for ε-prediction.

    Args:
        latents (`torch.Tensor` of shape `(N, 4, 8, 8)`):
            The training digits' latents, times the VAE's scaling factor.
        labels (`torch.Tensor` of shape `(N,)`):
            Each digit's value, 0-9, which picks its captions.
        tokenizer (`CLIPTokenizer`):
            CLIP's tokenizer with 16 positions.
        scheduler (`PNDMScheduler`):
            SD v1-4's, for its ᾱ_t.
        steps (`int`):
            Optimizer steps, each on a batch of 128.
        log (callable):
            Receives a line of progress now and then.

    Returns:
        `(CLIPTextModel, UNet2DConditionModel, float)`: both in eval mode,
        and the last batch's loss.
    """
    text_encoder = CLIPTextModel(CLIPTextConfig(**TEXT))
    unet = UNet2DConditionModel(**UNET)
    parameters = [*unet.parameters(), *text_encoder.parameters()]
    optimizer = torch.optim.AdamW(parameters, lr=1e-3, weight_decay=0.01)
    schedule = cosine_lr(optimizer, steps)
    # every caption there is, tokenized once: 0 is "", then 4 per digit
    texts = [""] + [c for d in range(10) for c in digits.captions(d)]
    tokens = tokenizer(
        texts, padding="max_length", truncation=True, return_tensors="pt"
    )
    per_digit = len(digits.TEMPLATES)
    alphas = scheduler.alphas_cumprod  # ᾱ_t, t = 0, ..., 999
    loss = torch.tensor(0.0)
    for step in range(steps):
        pick = torch.randint(0, len(latents), (128,))
        x0 = latents[pick]  # (128, 4, 8, 8)
        # one of its digit's captions each, and "" one time in ten
        choice = torch.randint(0, per_digit, (128,))
        caption = 1 + labels[pick] * per_digit + choice
        caption[torch.rand(128) < DROP_CAPTION] = 0
        t = torch.randint(0, scheduler.config.num_train_timesteps, (128,))
        noise = torch.randn_like(x0)
        a = alphas[t].view(-1, 1, 1, 1)
        noisy = add_noise(x0, noise, a)  # q(x_t | x_0) in closed form
        # every caption encoded, then each image's picked: (128, 16, 32)
        text_vectors = text_encoder(tokens.input_ids)[0][caption]
        prediction = unet(noisy, t, encoder_hidden_states=text_vectors)
        loss = torch.nn.functional.mse_loss(prediction.sample, noise)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimizer.step()
        schedule.step()
        if step % 250 == 0 or step == steps - 1:
            log(f"denoiser step {step:5d}  loss {loss.item():.4f}")
    return text_encoder.eval(), unet.eval(), loss.item()
