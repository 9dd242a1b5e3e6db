"""Chapter 4: what a pretrained pipeline holds, counted."""

from dataclasses import dataclass

import torch

from dlbook.models import build_networks

NETWORKS = ("vae", "text_encoder", "unet", "safety_checker")
# Scalars in the released CompVis/stable-diffusion-v1-4 checkpoint, per network.
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
    return Counts(
        modules=len(list(network.modules())),
        parameter_tensors=len(list(network.parameters())),
        scalars=sum(p.numel() for p in network.parameters()),
    )


def full_size_networks() -> dict[str, torch.nn.Module]:
    """SD v1-4's four networks at full size on the meta device: shapes without memory."""
    with torch.device("meta"):
        return build_networks("sd-v1-4")


def components(pipe) -> list[tuple[str, str, bool]]:
    """(attribute, class name, is it an nn.Module?) for each part of a diffusers pipeline."""
    return [
        (name, type(part).__name__, isinstance(part, torch.nn.Module))
        for name, part in pipe.components.items()
    ]
