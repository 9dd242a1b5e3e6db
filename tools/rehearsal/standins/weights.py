"""Stable Diffusion v1-4's repository layout, with random weights: `model_index.json`,
a folder per component, float32 weights and the `fp16` variant beside them, as the real
repository has them. `random-full` gives SD v1-4's architectures (every count and shape the real
one); `random-small` the narrow networks, for a rehearsal that must be fast. The hub serves it
under whatever id the course's semester build asks for (tools/rehearsal/rehearse.py)."""

import shutil
import tempfile
from pathlib import Path


def write_repository(folder: Path, mode: str = "random-full", seed: int = 0) -> Path:
    """Save SD v1-4's pipeline with `mode`'s random weights into `folder` (made anew), float32
    and float16 (variant "fp16"); return the folder."""
    import torch

    from dlbook import models
    from dlbook.networks import random_pipeline

    models.quiet_loading()
    folder = Path(folder)
    shutil.rmtree(folder, ignore_errors=True)
    pipe = random_pipeline(mode, seed)
    pipe.save_pretrained(folder)
    with tempfile.TemporaryDirectory() as scratch:
        pipe.to(dtype=torch.float16).save_pretrained(scratch, variant="fp16")
        for variant in Path(scratch).rglob("*.fp16.*"):
            target = folder / variant.relative_to(scratch)
            shutil.move(variant, target)
    return folder
