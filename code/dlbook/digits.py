"""tiny-digits: a text-to-image model with Stable Diffusion's parts, small
enough to train on a laptop's CPU, and the tools chapter 5 uses to measure
what guidance does to it.

The data are scikit-learn's handwritten digits (1,797 images of 8 × 8
pixels), upsampled to 16 × 16 RGB. `tools/models/train_tiny_digits.py`
trains the model; the weights ship in ``dlbook/assets/tiny-digits`` and load
like any Stable Diffusion folder.
"""

from dataclasses import dataclass
from importlib import resources

import numpy as np
import torch

from dlbook import diffusion

WORDS = ("zero", "one", "two", "three", "four")
WORDS += ("five", "six", "seven", "eight", "nine")
# Several ways of asking for the same digit, so that the text encoder learns
# the digit, not one phrase; "" is the unconditional prompt that
# classifier-free guidance subtracts.
TEMPLATES = (
    "a handwritten {word}",
    "the digit {digit}",
    "{digit}",
    "{word}",
)
SIZE = 16  # pixels a side
# the scale chapter 5 paints with; its guidance sweep shows why
GUIDANCE = 4.0
SPLIT_SEED = 0  # the train/held-out split of the data set


def folder():
    """The shipped model's folder.

    Returns:
        `importlib.resources.abc.Traversable`: a real path once the
        package is installed.
    """
    return resources.files("dlbook").joinpath("assets", "tiny-digits")


def captions(digit: int) -> list[str]:
    return [t.format(word=WORDS[digit], digit=digit) for t in TEMPLATES]


@dataclass
class Split:
    images: torch.Tensor  # (N, 3, 16, 16) in [0, 1]
    labels: torch.Tensor  # (N,) int64


def load(held_out: float = 0.2) -> tuple[Split, Split]:
    """scikit-learn's digits at 16 × 16 RGB, split into training and held-out
    sets (seeded).

    Args:
        held_out (`float`, defaults to 0.2):
            The share of the images held out.

    Returns:
        `(Split, Split)`: training and held-out images and labels.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    # N,1,8,8
    pixels = torch.from_numpy(digits.images).float().div(16)[:, None]
    images = torch.nn.functional.interpolate(
        pixels, size=SIZE, mode="bilinear"
    )
    images = images.clamp(0, 1).expand(-1, 3, -1, -1).contiguous()
    labels = torch.from_numpy(digits.target).long()
    order = torch.from_numpy(
        np.random.RandomState(SPLIT_SEED).permutation(len(labels))
    )
    cut = int(len(labels) * (1 - held_out))
    train, test = order[:cut], order[cut:]
    held = Split(images[test], labels[test])
    return Split(images[train], labels[train]), held


def features(images: torch.Tensor) -> np.ndarray:
    """What the classifier reads: grey levels of a 16 × 16 image,
    flattened.

    Args:
        images (`torch.Tensor` of shape `(N, 3, 16, 16)`):
            Values in [0, 1], on the CPU.

    Returns:
        `np.ndarray` of shape `(N, 256)`.
    """
    return images.float().mean(dim=1).flatten(1).numpy()


def classifier(train: Split):
    """A logistic regression on the same 16 × 16 digits: the judge of
    generated images.

    Args:
        train (`Split`):
            The images it learns from (`load()[0]`).

    Returns:
        `sklearn.linear_model.LogisticRegression`, fitted on `features`.
    """
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=2000, C=0.5)
    return model.fit(features(train.images), train.labels.numpy())


def diversity(images: torch.Tensor) -> float:
    """Mean pairwise distance between images (grey levels): 0 when all are
    the same."""
    flat = images.float().mean(dim=1).flatten(1)
    distances = torch.cdist(flat, flat)
    count = len(flat)
    return float(distances.sum() / (count * (count - 1)))


def sample(
    pipe,
    prompts: list[str],
    guidance_scale: float,
    seed: int,
    steps: int = 20,
):
    """One image per prompt, (B, 3, H, W), by chapter 5's loop. (diffusers'
    pipeline skips guidance for s ≤ 1: its s = 0 is the conditional model,
    not the unconditional one.)"""
    run = diffusion.generate(
        pipe,
        prompts,
        seed=seed,
        steps=steps,
        guidance_scale=guidance_scale,
        progress=False,
    )
    return run.image


@dataclass
class SweepRow:
    guidance_scale: float
    # fraction of images the classifier reads as the digit asked for
    recognised: float
    # mean pairwise distance within a digit, relative to the real images'
    diversity: float
    # share of pixels at full white, relative to the real images'
    saturated: float
    images: torch.Tensor  # (10, per_digit, 3, H, W)


def saturation(images: torch.Tensor) -> float:
    """Share of pixels at (nearly) full white: strokes pushed past anything
    in the data."""
    return float((images >= 0.98).float().mean())


def sweep(
    pipe,
    judge,
    real: Split,
    scales,
    per_digit: int = 10,
    seed: int = 0,
    steps=20,
):
    """For each guidance scale: `per_digit` images of each digit, read by
    `judge`.

    Args:
        pipe (`StableDiffusionPipeline`):
            tiny-digits (`load_model("tiny-digits").pipe`).
        judge:
            A classifier of `features` (`classifier`).
        real (`Split`):
            Real digits, the measure of diversity and saturation.
        scales (iterable of `float`):
            The guidance scales to try.
        per_digit (`int`, defaults to 10):
            Images per digit and scale.
        seed (`int`, defaults to 0):
            Seeds the noise; the same for every scale.
        steps (`int`, defaults to 20):
            Denoising steps per image.

    Returns:
        `list[SweepRow]`, one per scale.
    """
    prompts = [
        captions(digit)[0] for digit in range(10) for _ in range(per_digit)
    ]
    asked = np.repeat(np.arange(10), per_digit)
    real_spread = np.mean(
        [diversity(real.images[real.labels == d]) for d in range(10)]
    )
    rows = []
    for scale in scales:
        images = sample(pipe, prompts, scale, seed, steps)
        recognised = float((judge.predict(features(images)) == asked).mean())
        grouped = images.view(10, per_digit, *images.shape[1:])
        spread = (
            np.mean([diversity(group) for group in grouped]) / real_spread
        )
        saturated = saturation(images) / saturation(real.images)
        rows.append(SweepRow(scale, recognised, spread, saturated, grouped))
    return rows
