"""Chapter 6: Stable Diffusion's safety checker, run over a DataLoader, with
its scores exposed.

The checker embeds an image with CLIP's vision tower and compares it (cosine
similarity) with 17 fixed "concept" embeddings and 3 "special care" ones. An
image is flagged when a concept's similarity exceeds its threshold; being
close to a special-care concept flags nothing by itself, it makes the test
0.01 stricter.
diffusers' forward returns only the verdict; `scores` returns the verdict and
the numbers behind it, computed as the forward computes them, in one pass.
"""

import time
from dataclasses import dataclass, field

import torch

# plain text: the same bar in a terminal, a notebook and the book
from tqdm import tqdm


@dataclass
class Scores:
    # (B, 17): similarity − threshold (+ 0.01 after a special-care hit),
    # rounded to 3 decimals; > 0 flags the image
    concept: torch.Tensor
    # (B, 3): the same for the special-care concepts; > 0 makes the concept
    # test stricter and flags nothing by itself
    special: torch.Tensor
    flagged: torch.Tensor  # (B,) bool


def cosine_similarity(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(B, D), (C, D) → (B, C). diffusers calls this `cosine_distance`; it is
    a similarity."""
    return (
        torch.nn.functional.normalize(a) @ torch.nn.functional.normalize(b).T
    )


@torch.no_grad()
def scores(checker, clip_input: torch.Tensor) -> Scores:
    """The per-concept scores behind StableDiffusionSafetyChecker's verdict,
    batched: one pass through the vision tower gives the verdict and the
    numbers behind it.

    Args:
        checker (`StableDiffusionSafetyChecker`):
            Its vision tower, concept embeddings and thresholds.
        clip_input (`torch.Tensor` of shape `(B, 3, 224, 224)`):
            Images as CLIP's preprocessing leaves them, on the checker's
            device in its dtype.

    Returns:
        `Scores`: float32 on the CPU, per image: each concept's score
        (> 0 flags), each special-care concept's (> 0 makes the concept
        test 0.01 stricter), and the verdict.
    """
    pooled = checker.vision_model(clip_input)[1]  # (B, hidden)
    embeds = checker.visual_projection(pooled)  # (B, 768)
    # As diffusers does: similarities in the model's dtype, the rest in
    # float32 on the CPU.
    special_similarity = cosine_similarity(
        embeds, checker.special_care_embeds
    )
    similarity = cosine_similarity(embeds, checker.concept_embeds)
    special_similarity = special_similarity.float().cpu()  # (B, 3)
    similarity = similarity.float().cpu()  # (B, 17)
    special_thresholds = checker.special_care_embeds_weights.float().cpu()
    thresholds = checker.concept_embeds_weights.float().cpu()  # (17,)
    # diffusers rounds each score to 3 decimals before comparing it with 0.
    special = torch.round(
        special_similarity - special_thresholds, decimals=3
    )
    # An image close to a special-care concept gets a 0.01 stricter test for
    # all others (and, in diffusers' loop, for the special-care concepts
    # after the first one it matched).
    hit = special > 0
    earlier = (hit.cumsum(dim=1) - hit.int()) > 0
    special = special_similarity - special_thresholds + 0.01 * earlier
    special = torch.round(special, decimals=3)
    adjustment = 0.01 * hit.any(dim=1, keepdim=True)
    concept = torch.round(similarity - thresholds + adjustment, decimals=3)
    flagged = (concept > 0).any(dim=1)
    return Scores(concept=concept, special=special, flagged=flagged)


@dataclass
class Report:
    flagged: list[int] = field(default_factory=list)  # dataset indices
    # per image, in dataset order
    max_concept_score: list[float] = field(default_factory=list)
    # (B, 17) per batch
    concept_scores: list[torch.Tensor] = field(default_factory=list)
    images: int = 0


@torch.no_grad()
def check_dataset(
    checker,
    loader,
    device="cpu",
    dtype=torch.float32,
    with_scores=True,
    progress=True,
) -> Report:
    """Run the safety checker over every batch; collect flagged dataset
    indices (and scores).

    Args:
        checker (`StableDiffusionSafetyChecker`):
            On `device`, in `dtype`.
        loader (iterable of `(clip_input, labels)` batches):
            E.g. a DataLoader over `imagefiles.image_folder`'s dataset, with
            `preprocess.clip_transform` as its transform.
        device (`str`, defaults to "cpu"):
            Where each batch goes.
        dtype (`torch.dtype`, defaults to `torch.float32`):
            What each batch is cast to: the checker's dtype.
        with_scores (`bool`, defaults to `True`):
            Also keep the scores; `False` keeps only the verdicts.
        progress (`bool`, defaults to `True`):
            Show a progress bar over the batches.

    Returns:
        `Report`: the flagged images' positions in the loader's order (the
        dataset's indices unless it shuffles), the number of images and,
        with `with_scores`, each image's highest concept score and each
        batch's concept scores.
    """
    report = Report()
    for clip_input, _ in tqdm(
        loader, desc="safety check", unit="batch", disable=not progress
    ):
        # (B, 3, 224, 224)
        clip_input = clip_input.to(device, dtype, non_blocking=True)
        # the verdict and its numbers, in one pass
        batch = scores(checker, clip_input)
        report.flagged += [
            report.images + i
            for i in batch.flagged.nonzero().flatten().tolist()
        ]
        report.images += len(clip_input)
        if with_scores:
            report.max_concept_score += batch.concept.max(
                dim=1
            ).values.tolist()
            report.concept_scores.append(batch.concept)
    return report


def synchronize(device: str) -> None:
    """Wait for queued GPU work, so that a clock reads the work and not its
    launch."""
    if str(device).startswith("cuda"):
        torch.cuda.synchronize()


@torch.no_grad()
def model_only_rate(
    checker, device, dtype, images: int = 200, batch_size: int = 10
) -> float:
    """Images/s of the checker on one ready-made batch: the ceiling a loader
    can approach."""
    batch = torch.randn(batch_size, 3, 224, 224, device=device, dtype=dtype)
    scores(checker, batch)  # warm-up
    synchronize(device)
    start = time.perf_counter()
    rounds = max(1, images // batch_size)
    for _ in range(rounds):
        scores(checker, batch)
    synchronize(device)
    return rounds * batch_size / (time.perf_counter() - start)


def loader_fed_rate(
    checker,
    dataset,
    device,
    dtype,
    workers: int,
    images: int = 200,
    batch_size: int = 10,
) -> float:
    """Images/s of check_dataset over `images` images of `dataset`, decoded
    by a DataLoader with `workers` (their start-up included: a pass pays
    it). A smaller dataset is cycled through, each image decoded afresh on
    every visit, so that the start-up stays a small part of the time."""
    from torch.utils.data import DataLoader, Subset

    if images < 1:
        raise ValueError(f"images={images}: time at least one image")
    # a rate needs a few hundred images, not all of a large set: at full
    # size on a CPU each image costs about a second
    first = Subset(dataset, [i % len(dataset) for i in range(images)])
    # warm-up in this process: a warm-up through the workers would leave
    # decoded batches waiting, which the next pass throws away and decodes
    # again inside the timer
    warm = next(iter(DataLoader(first, batch_size=batch_size)))
    check_dataset(checker, [warm], device, dtype, False, False)
    loader = DataLoader(
        first,
        batch_size=batch_size,
        num_workers=workers,
        # lets the copy overlap the work
        pin_memory=str(device).startswith("cuda"),
        prefetch_factor=4 if workers else None,
    )
    start = time.perf_counter()
    report = check_dataset(
        checker, loader, device, dtype, with_scores=False, progress=False
    )
    synchronize(device)
    return report.images / (time.perf_counter() - start)


def throughput(
    checker, dataset, device, dtype, workers=(0, 2), images=200
) -> dict[str, float]:
    """Images/s: the model alone, then fed from `dataset` with each number of
    workers.

    Args:
        checker (`StableDiffusionSafetyChecker`):
            On `device`, in `dtype`.
        dataset (`torch.utils.data.Dataset`):
            Yields `(clip_input, label)`, e.g. `imagefiles.image_folder`'s.
        device (`str`):
            Where the checker runs.
        dtype (`torch.dtype`):
            The checker's dtype.
        workers (`tuple[int]`, defaults to `(0, 2)`):
            The DataLoader worker counts to time.
        images (`int`, defaults to 200):
            How many images each rate is timed on: the model alone, and
            each loader (the first `images` of `dataset`, cycling through
            a smaller one).

    Returns:
        `dict[str, float]`: images per second, under "model only" and
        "loader, N workers".
    """
    rates = {"model only": model_only_rate(checker, device, dtype, images)}
    for count in workers:
        rates[f"loader, {count} workers"] = loader_fed_rate(
            checker, dataset, device, dtype, count, images
        )
    return rates
