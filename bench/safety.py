"""Safety-checker throughput: the model alone vs fed by ImageFolder + DataLoader.

Prints images/s for the checker on ready-made batches (the ceiling), then for the same checker
fed from an image folder with 0 and with several workers, and the ratio loader-fed / model-only
(how busy the loader keeps the model). The folder holds N JPEGs of 640×480 made from the offline
samples, like the course's COCO set. Targets: on a GPU, the chapter's loader ≥ 0.8 of model-only.

    python bench/safety.py [--images 500] [--workers 8] [--model random-full]
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from dlbook import data, models, safety


def make_folder(root: Path, count: int) -> Path:
    samples = data.make_sample_folder(root / "samples")
    pictures = [data.open_rgb(path).resize((640, 480)) for path in sorted(samples.rglob("*.*"))]
    for index in range(count):
        path = root / "bench" / "images" / f"{index:05d}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        pictures[index % len(pictures)].save(path, quality=90)
    return root / "bench"


def synchronize(device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def model_only(checker, device, dtype, images: int, batch_size: int = 10) -> float:
    batch = torch.randn(batch_size, 3, 224, 224, device=device, dtype=dtype)
    checker(images=batch.clone(), clip_input=batch)  # warm-up
    synchronize(device)
    start = time.perf_counter()
    for _ in range(images // batch_size):
        checker(images=batch.clone(), clip_input=batch)
    synchronize(device)
    return (images // batch_size) * batch_size / (time.perf_counter() - start)


def loader_fed(checker, dataset, device, dtype, workers: int) -> float:
    loader = DataLoader(
        dataset, batch_size=10, num_workers=workers, pin_memory=device == "cuda",
        persistent_workers=workers > 0, prefetch_factor=4 if workers else None,
    )  # fmt: skip
    safety.check_dataset(checker, [next(iter(loader))], device, dtype, False, False)  # warm-up
    start = time.perf_counter()
    report = safety.check_dataset(checker, loader, device, dtype, with_scores=False, progress=False)
    synchronize(device)
    return report.images / (time.perf_counter() - start)


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
        dataset, _ = data.image_folder(folder, data.clip_transform(loaded.pipe.feature_extractor))
        ceiling = model_only(checker, device, dtype, args.images)
        print(f"{loaded.mode} checker on {device} ({dtype}), {args.images} images of 640×480")
        print(f"model only:            {ceiling:8.1f} images/s")
        for workers in sorted({0, args.workers}):
            rate = loader_fed(checker, dataset, device, dtype, workers)
            print(f"loader, {workers} workers:  {rate:8.1f} images/s   ratio {rate / ceiling:.2f}")


if __name__ == "__main__":
    main()
