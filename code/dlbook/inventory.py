"""Chapter 4: what a pretrained pipeline holds, counted."""

from dataclasses import dataclass
from pathlib import Path

import torch

from dlbook.networks import build_networks

NETWORKS = ("vae", "text_encoder", "unet", "safety_checker")
# Scalars in the released CompVis/stable-diffusion-v1-4 checkpoint, per
# network.
PUBLISHED_SCALARS = {
    "vae": 83_653_863,
    "text_encoder": 123_060_480,
    "unet": 859_520_964,
    "safety_checker": 303_981_588,
}


@dataclass(frozen=True)
class Counts:
    modules: int  # every nn.Module in the tree, the network itself included
    parameter_tensors: int
    scalars: int  # the numbers a training run adjusts

    def bytes(self, dtype: torch.dtype) -> int:
        return self.scalars * torch.finfo(dtype).bits // 8


def count(network: torch.nn.Module) -> Counts:
    """What a network holds, counted.

    Args:
        network (`torch.nn.Module`):
            Any module; on the meta device too (only shapes are read).

    Returns:
        `Counts`: its modules, parameter tensors and scalars.
    """
    return Counts(
        modules=len(list(network.modules())),
        parameter_tensors=len(list(network.parameters())),
        scalars=sum(p.numel() for p in network.parameters()),
    )


def full_size_networks() -> dict[str, torch.nn.Module]:
    """SD v1-4's four networks at full size on the meta device: shapes
    without memory.

    Returns:
        `dict[str, torch.nn.Module]`: "vae", "text_encoder", "unet" and
        "safety_checker", built from ``configs/sd-v1-4``.
    """
    with torch.device("meta"):
        return build_networks("sd-v1-4")


def components(pipe) -> list[tuple[str, str, bool]]:
    """(attribute, class name, is it an nn.Module?) for each part a diffusers
    pipeline holds.

    Optional parts it was built without (SD v1-4 has no `image_encoder`) are
    left out.

    Args:
        pipe (`DiffusionPipeline`):
            Any diffusers pipeline.

    Returns:
        `list[tuple[str, str, bool]]`, in the pipeline's order.
    """
    return [
        (name, type(part).__name__, isinstance(part, torch.nn.Module))
        for name, part in pipe.components.items()
        if part is not None
    ]


def pipeline_folder(loaded, scratch: str) -> Path:
    """The folder from_pretrained reads: the real snapshot, or `scratch`
    holding a saved copy.

    Random pipelines have no folder of their own; saving one writes the
    layout the hub serves.

    Args:
        loaded (`LoadedModel`):
            What `load_model` returned.
        scratch (`str`):
            An empty folder to save a random pipeline into.

    Returns:
        `Path`: the folder holding ``model_index.json``.
    """
    if loaded.random:
        loaded.pipe.save_pretrained(scratch)
        return Path(scratch)
    if Path(loaded.source).is_dir():
        return Path(loaded.source)
    from diffusers import DiffusionPipeline

    return Path(
        DiffusionPipeline.download(loaded.source, local_files_only=True)
    )


def text_encoder_scalars(config: dict) -> int:
    """CLIP's text transformer counted from its config alone: token and
    position embeddings, L pre-norm layers, the final layer norm.

    Args:
        config (`dict`):
            A CLIPTextModel config, e.g. `read_config("sd-v1-4",
            "text_encoder")`.

    Returns:
        `int`: the number of scalars.
    """
    d, f = config["hidden_size"], config["intermediate_size"]
    vocabulary, positions = (
        config["vocab_size"],
        config["max_position_embeddings"],
    )
    attention = 4 * (d * d + d)  # q, k, v and out: a weight and a bias each
    mlp = (d * f + f) + (f * d + d)  # up to f features and back down
    norms = 2 * (d + d)  # two LayerNorms per layer: scale and shift
    layer = norms + attention + mlp
    layers = config["num_hidden_layers"]
    return (vocabulary + positions) * d + layers * layer + 2 * d
