"""Train tiny-digits, chapter 5's offline text-to-image model, and write it into the package.

Stable Diffusion's parts at toy size: the real CLIP tokenizer, a small CLIPTextModel, a small
AutoencoderKL and a small UNet2DConditionModel, with SD v1-4's PNDM scheduler. The autoencoder
is trained first (reconstruction + a small KL term, as in Rombach et al., 2022); the latent
scaling factor is then measured, as SD's 0.18215 was; last, the UNet and the text encoder learn
ε-prediction together, with the caption dropped 10 % of the time so that classifier-free
guidance has an unconditional prediction to push away from.

    python -m tools.models.train_tiny_digits              # make tiny-model: the shipped weights
    python -m tools.models.train_tiny_digits --scale 0.01 --out /tmp/smoke   # a smoke run (CI)
"""

import argparse
import json
import math
import platform
import subprocess
import time
from pathlib import Path

import torch
from diffusers import (
    AutoencoderKL,
    PNDMScheduler,
    StableDiffusionPipeline,
    UNet2DConditionModel,
)
from transformers import CLIPTextConfig, CLIPTextModel

from dlbook import digits
from dlbook.networks import read_config
from dlbook.schedule import add_noise
from dlbook.tokenizer import clip_tokenizer

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "code" / "dlbook" / "assets" / "tiny-digits"
SEED = 0
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
    sample_size=digits.SIZE // 2,  # the autoencoder halves each side; SD's divides by 8
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
    def factor(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def train_vae(images: torch.Tensor, steps: int, log) -> tuple[AutoencoderKL, float]:
    vae = AutoencoderKL(**VAE)
    optimizer = torch.optim.AdamW(vae.parameters(), lr=2e-3, weight_decay=0)
    schedule = cosine_lr(optimizer, steps)
    x_all = images * 2 - 1  # the autoencoder works in [-1, 1], as SD's does
    loss = torch.tensor(0.0)
    for step in range(steps):
        x = x_all[torch.randint(0, len(x_all), (64,))]
        posterior = vae.encode(x).latent_dist
        reconstruction = vae.decode(posterior.sample()).sample
        loss = torch.nn.functional.mse_loss(reconstruction, x) + 1e-6 * posterior.kl().mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        if step % 100 == 0 or step == steps - 1:
            log(f"autoencoder step {step:5d}  loss {loss.item():.4f}")
    return vae.eval(), loss.item()


def train_denoiser(latents, labels, tokenizer, scheduler, steps: int, log):
    text_encoder = CLIPTextModel(CLIPTextConfig(**TEXT))
    unet = UNet2DConditionModel(**UNET)
    parameters = [*unet.parameters(), *text_encoder.parameters()]
    optimizer = torch.optim.AdamW(parameters, lr=1e-3, weight_decay=0.01)
    schedule = cosine_lr(optimizer, steps)
    # Every caption there is, tokenized once: index 0 is "", then 4 per digit.
    texts = [""] + [caption for digit in range(10) for caption in digits.captions(digit)]
    tokens = tokenizer(texts, padding="max_length", truncation=True, return_tensors="pt")
    per_digit = len(digits.TEMPLATES)
    alphas = scheduler.alphas_cumprod  # ᾱ_t
    loss = torch.tensor(0.0)
    for step in range(steps):
        pick = torch.randint(0, len(latents), (128,))
        x0 = latents[pick]
        caption = 1 + labels[pick] * per_digit + torch.randint(0, per_digit, (128,))
        caption[torch.rand(128) < DROP_CAPTION] = 0
        t = torch.randint(0, scheduler.config.num_train_timesteps, (128,))
        noise = torch.randn_like(x0)
        a = alphas[t].view(-1, 1, 1, 1)
        noisy = add_noise(x0, noise, a)  # q(x_t | x_0) in closed form, as chapter 5 has it
        text_vectors = text_encoder(tokens.input_ids)[0][caption]  # encode each caption once
        prediction = unet(noisy, t, encoder_hidden_states=text_vectors).sample
        loss = torch.nn.functional.mse_loss(prediction, noise)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, 1.0)
        optimizer.step()
        schedule.step()
        if step % 250 == 0 or step == steps - 1:
            log(f"denoiser step {step:5d}  loss {loss.item():.4f}")
    return text_encoder.eval(), unet.eval(), loss.item()


def commit() -> dict:
    """The commit the script runs from, and any file that differs from it."""

    def git(*args):
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return result.stdout

    changed = [line[3:] for line in git("status", "--porcelain").splitlines()]
    return {"commit": git("rev-parse", "HEAD").strip(), "uncommitted": changed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the steps")
    # The shipped weights were trained with 2 (the book's reference machine): results depend
    # on it. Fewer only where the cores are shared, e.g. a smoke test beside other tests.
    parser.add_argument("--threads", type=int, default=2, help="torch threads (default 2)")
    args = parser.parse_args()
    source = commit()  # before training: what the tree was when it started
    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    # Bit-for-bit reruns: e.g. the text vectors' indexing backward otherwise accumulates in
    # whatever order the threads finish.
    torch.use_deterministic_algorithms(True)
    start = time.perf_counter()

    def log(line):
        print(f"[{time.perf_counter() - start:6.1f} s] {line}", flush=True)

    train, _ = digits.load()
    vae_steps = max(1, int(VAE_STEPS * args.scale))
    unet_steps = max(1, int(UNET_STEPS * args.scale))
    vae, vae_loss = train_vae(train.images, vae_steps, log)
    with torch.no_grad():
        posterior = vae.encode(train.images * 2 - 1).latent_dist
        raw = posterior.mean
    scaling_factor = float(1 / raw.std())  # unit variance for the UNet, as SD's 0.18215
    vae.register_to_config(scaling_factor=round(scaling_factor, 5))
    log(f"latents {tuple(raw.shape[1:])}, std {raw.std():.4f}: scaling_factor {scaling_factor:.5f}")

    tokenizer = clip_tokenizer(max_length=TEXT["max_position_embeddings"])
    scheduler = PNDMScheduler.from_config(read_config("sd-v1-4", "scheduler"))
    latents = raw * vae.config.scaling_factor
    text_encoder, unet, unet_loss = train_denoiser(
        latents, train.labels, tokenizer, scheduler, unet_steps, log
    )
    pipe = StableDiffusionPipeline(
        vae=vae,
        text_encoder=text_encoder,
        tokenizer=tokenizer,
        unet=unet,
        scheduler=scheduler,
        safety_checker=None,
        feature_extractor=None,
        requires_safety_checker=False,
    )
    # float16 halves the files; loading casts back to float32 on a CPU.
    pipe.to(torch.float16).save_pretrained(args.out, safe_serialization=True)
    # The tokenizer is rebuilt from the vocabulary the package ships (dlbook.tokenizer).
    for leftover in (args.out / "tokenizer").glob("*"):
        leftover.unlink()
    (args.out / "tokenizer").rmdir()
    seconds = time.perf_counter() - start
    provenance = {
        "script": "tools/models/train_tiny_digits.py",
        **source,
        "seed": SEED,
        "data": f"scikit-learn {__import__('sklearn').__version__} load_digits(): "
        f"{len(train.labels)} training images (split seed {digits.SPLIT_SEED}), 16 x 16 RGB",
        "steps": {
            "autoencoder": vae_steps,
            "denoiser": unet_steps,
            "batch": [64, 128],
        },
        "final_loss": {
            "autoencoder": round(vae_loss, 5),
            "denoiser": round(unet_loss, 5),
        },
        "scaling_factor": vae.config.scaling_factor,
        "seconds": round(seconds, 1),
        "machine": f"{platform.machine()}, {torch.get_num_threads()} threads",
        "versions": {
            "torch": torch.__version__,
            "diffusers": __import__("diffusers").__version__,
        },
    }
    (args.out / "PROVENANCE.json").write_text(json.dumps(provenance, indent=2) + "\n")
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    log(f"wrote {args.out} ({size / 2**20:.1f} MB) in {seconds:.0f} s")


if __name__ == "__main__":
    main()
