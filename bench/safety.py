"""Safety-checker throughput: the model alone vs fed by ImageFolder + DataLoader.

Prints images/s for the checker on ready-made batches (the ceiling), then for the same checker
fed from an image folder with 0 and with several workers, and the ratio loader-fed / model-only
(how busy the loader keeps the model); first, the gain of computing the verdict and the scores
in one pass through the vision tower over the old two. The folder holds N JPEGs of 640×480 made
from the offline samples, like the course's COCO set. Target on a GPU: loader ≥ 0.8 of model-only.

    python bench/safety.py [--images 500] [--workers 8] [--model random-full]
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

import torch

from dlbook import imagefiles, models, safety
from dlbook.preprocess import clip_transform
from dlbook.samples import make_sample_folder


def make_folder(root: Path, count: int) -> Path:
    folder = make_sample_folder(root / "samples")
    files = sorted(folder.rglob("*.*"))
    pictures = [imagefiles.open_rgb(path).resize((640, 480)) for path in files]
    for index in range(count):
        path = root / "bench" / "images" / f"{index:05d}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        pictures[index % len(pictures)].save(path, quality=90)
    return root / "bench"


def two_passes_rate(checker, device, dtype, images: int, batch_size: int = 10) -> float:
    """The old check_dataset: diffusers' forward for the verdict, then `scores` again."""
    batch = torch.randn(batch_size, 3, 224, 224, device=device, dtype=dtype)
    rounds = max(1, images // batch_size)
    checker(images=batch.clone(), clip_input=batch)  # warm-up
    safety.synchronize(device)
    start = time.perf_counter()
    for _ in range(rounds):
        checker(images=batch.clone(), clip_input=batch)
        safety.scores(checker, batch)
    safety.synchronize(device)
    return rounds * batch_size / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200)
    parser.add_argument("--workers", type=int, default=min(8, os.cpu_count() or 1))
    parser.add_argument("--model", default=None, help="DLBOOK_MODEL (default: auto)")
    args = parser.parse_args()

    loaded = models.load_model(args.model)
    checker = loaded.pipe.safety_checker
    device, dtype = str(checker.device).split(":")[0], checker.dtype
    with tempfile.TemporaryDirectory() as scratch:
        folder = make_folder(Path(scratch), args.images)
        transform = clip_transform(loaded.pipe.feature_extractor)
        dataset, _ = imagefiles.image_folder(folder, transform)
        print(f"{loaded.mode} checker on {device} ({dtype}), {args.images} images of 640×480")
        old = two_passes_rate(checker, device, dtype, args.images)
        workers = sorted({0, args.workers})
        rates = safety.throughput(checker, dataset, device, dtype, workers, args.images)
        ceiling = rates["model only"]
        print(f"{'two passes (before)':22} {old:8.1f} images/s")
        print(f"{'model only':22} {ceiling:8.1f} images/s   one pass / two: {ceiling / old:.2f}")
        for name, rate in list(rates.items())[1:]:
            print(f"{name:22} {rate:8.1f} images/s   loader / model: {rate / ceiling:.2f}")


if __name__ == "__main__":
    main()
