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
import platform
import subprocess
import time
from pathlib import Path

import torch
from diffusers import PNDMScheduler, StableDiffusionPipeline

from dlbook import digits
from dlbook.networks import read_config
from dlbook.tiny_training import TEXT, UNET_STEPS, VAE_STEPS, train_denoiser, train_vae
from dlbook.tokenizer import clip_tokenizer

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "code" / "dlbook" / "assets" / "tiny-digits"
SEED = 0


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
