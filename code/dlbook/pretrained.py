"""Trained weights, by hub id or local folder, loaded with today's diffusers
arguments; every failure becomes a `ModelLoadError` whose message names the
model and the cause (gated, unknown, unreachable, not cached, no
model_index.json)."""

from pathlib import Path

import torch

from dlbook import device as devices
from dlbook import hub


class ModelLoadError(RuntimeError):
    """The model named by DLBOOK_MODEL could not be loaded; the message says
    why."""


def pretrained_pipeline(
    model: str, device: str, local_files_only: bool = False, **components
):
    """A StableDiffusionPipeline with trained weights.

    Args:
        model (`str`):
            A hub id (e.g. "CompVis/stable-diffusion-v1-4") or a local
            folder holding model_index.json.
        device (`str`):
            "cpu" or "cuda[:N]": float16 (and the fp16 variant from the
            hub) on a GPU, float32 on a CPU (`dlbook.device.dtype_for`).
        local_files_only (`bool`, defaults to `False`):
            Use the local cache only, never the network.
        **components:
            Parts given ready-made instead of loaded (e.g. `tokenizer=`).

    Returns:
        `StableDiffusionPipeline`, on the CPU.

    Raises:
        `ModelLoadError`: the message names the model and the cause.
    """
    from diffusers import StableDiffusionPipeline
    from huggingface_hub import errors
    from huggingface_hub.utils import validate_repo_id

    folder = Path(model).expanduser()
    if folder.exists() and not (folder / "model_index.json").is_file():
        raise ModelLoadError(
            f"DLBOOK_MODEL={model!r} is a folder without model_index.json"
        )
    if not folder.exists():
        try:
            validate_repo_id(model)
        except errors.HFValidationError as error:
            raise ModelLoadError(
                f"DLBOOK_MODEL={model!r} is neither an existing folder "
                "nor a valid hub id"
            ) from error
    kwargs = {"dtype": devices.dtype_for(device)}
    if kwargs["dtype"] == torch.float16 and not folder.exists():
        kwargs["variant"] = "fp16"
    try:
        if not folder.exists() and not local_files_only:
            # the hub's own answer (gated, unknown, bad token) before a
            # download; diffusers would turn it into a generic OSError
            hub.check_access(model)
        return StableDiffusionPipeline.from_pretrained(
            str(folder) if folder.exists() else model,
            token=hub.hf_token(),
            local_files_only=local_files_only,
            **kwargs,
            **components,
        )
    except Exception as error:
        if folder.exists():
            raise ModelLoadError(
                f"could not load {model!r}: {error}"
            ) from error
        reason = hub.explain(model, error)
        if reason is None and isinstance(error, (OSError, ValueError)):
            where = (
                "in the local cache"
                if local_files_only
                else "in the cache or on the hub"
            )
            reason = f"could not load {model!r} {where}: {error}"
        if reason is None:
            raise
        raise ModelLoadError(reason) from error
