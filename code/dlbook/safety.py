"""Chapter 6: Stable Diffusion's safety checker, run over a DataLoader, with its scores exposed.

The checker embeds an image with CLIP's vision tower and compares it (cosine similarity) with 17
fixed "concept" embeddings and 3 "special care" ones; an image is flagged when any similarity
exceeds that concept's threshold. diffusers' forward returns only the verdict; `scores` returns
the numbers behind it, computed as the forward computes them.
"""

from dataclasses import dataclass, field

import torch
from tqdm import tqdm  # plain text: the same bar in a terminal, a notebook and the book


@dataclass
class Scores:
    concept: torch.Tensor  # (B, 17): similarity − threshold (+ adjustment); > 0 flags the image
    special: torch.Tensor  # (B, 3): the same for the special-care concepts
    flagged: torch.Tensor  # (B,) bool


def cosine_similarity(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(B, D), (C, D) → (B, C). diffusers calls this `cosine_distance`; it is a similarity."""
    return torch.nn.functional.normalize(a) @ torch.nn.functional.normalize(b).T


@torch.no_grad()
def scores(checker, clip_input: torch.Tensor) -> Scores:
    """The per-concept scores behind StableDiffusionSafetyChecker's verdict, batched."""
    pooled = checker.vision_model(clip_input)[1]  # (B, hidden)
    image_embeds = checker.visual_projection(pooled)  # (B, 768)
    # As diffusers does: similarities in the model's dtype, the rest in float32 on the CPU.
    special_similarity = cosine_similarity(image_embeds, checker.special_care_embeds).float().cpu()
    similarity = cosine_similarity(image_embeds, checker.concept_embeds).float().cpu()  # (B, 17)
    special_thresholds = checker.special_care_embeds_weights.float().cpu()  # (3,)
    thresholds = checker.concept_embeds_weights.float().cpu()  # (17,)
    # diffusers rounds each score to 3 decimals before comparing it with 0; so do we.
    special = torch.round(special_similarity - special_thresholds, decimals=3)
    # An image close to a special-care concept gets a stricter test for all others.
    adjustment = 0.01 * (special > 0).any(dim=1, keepdim=True)
    concept = torch.round(similarity - thresholds + adjustment, decimals=3)
    return Scores(concept=concept, special=special, flagged=(concept > 0).any(dim=1))


@dataclass
class Report:
    flagged: list[int] = field(default_factory=list)  # dataset indices
    max_concept_score: list[float] = field(default_factory=list)  # per image, in dataset order
    concept_scores: list[torch.Tensor] = field(default_factory=list)  # (B, 17) per batch
    images: int = 0


@torch.no_grad()
def check_dataset(
    checker, loader, device="cpu", dtype=torch.float32, with_scores=True, progress=True
) -> Report:
    """Run the safety checker over every batch; collect flagged dataset indices (and scores)."""
    report = Report()
    for clip_input, _ in tqdm(loader, desc="safety check", unit="batch", disable=not progress):
        clip_input = clip_input.to(device, dtype, non_blocking=True)  # (B, 3, 224, 224)
        # The checker returns its `images` argument with every flagged image replaced by zeros.
        _, has_nsfw_concepts = checker(images=clip_input.clone(), clip_input=clip_input)
        report.flagged += [report.images + i for i, flag in enumerate(has_nsfw_concepts) if flag]
        report.images += len(clip_input)
        if with_scores:  # a second pass through the vision tower, for the numbers behind it
            batch = scores(checker, clip_input)
            report.max_concept_score += batch.concept.max(dim=1).values.tolist()
            report.concept_scores.append(batch.concept)
    return report
