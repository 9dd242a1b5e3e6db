"""Stable Diffusion v1-4's networks built from their published configs
(``configs/sd-v1-4``) or from narrow ones with the same tensor shapes
(``configs/sd-small``), with random weights (seeded) or none (meta device).
"""

import json
from importlib import resources

import torch

from dlbook.tokenizer import clip_tokenizer

RANDOM_MODES = ("random-small", "random-full")
CONFIG_SETS = {"random-full": "sd-v1-4", "random-small": "sd-small"}


def read_config(config_set: str, name: str) -> dict:
    """A network's config as keyword arguments (class names and comments
    dropped).

    Args:
        config_set (`str`):
            "sd-v1-4" or "sd-small", a folder of ``dlbook/configs``.
        name (`str`):
            "vae", "text_encoder", "unet" or "safety_checker".

    Returns:
        `dict`: the config's entries.
    """
    text = (
        resources.files("dlbook")
        .joinpath("configs", config_set, f"{name}.json")
        .read_text()
    )
    return {
        key: value
        for key, value in json.loads(text).items()
        if not key.startswith("_") and key != "architectures"
    }


def build_networks(
    config_set: str = "sd-v1-4",
) -> dict[str, torch.nn.Module]:
    """The four networks of the pipeline, built from configs (weights random,
    or none on 'meta')."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from diffusers.pipelines.stable_diffusion.safety_checker import (
        StableDiffusionSafetyChecker,
    )
    from transformers import CLIPConfig, CLIPTextConfig, CLIPTextModel

    return {
        "vae": AutoencoderKL(**read_config(config_set, "vae")),
        "text_encoder": CLIPTextModel(
            CLIPTextConfig(**read_config(config_set, "text_encoder"))
        ),
        "unet": UNet2DConditionModel(**read_config(config_set, "unet")),
        "safety_checker": StableDiffusionSafetyChecker(
            CLIPConfig(**read_config(config_set, "safety_checker"))
        ),
    }


def random_pipeline(mode: str = "random-small", seed: int = 0):
    """A StableDiffusionPipeline with SD v1-4's parts and random weights
    (seeded)."""
    from diffusers import PNDMScheduler, StableDiffusionPipeline
    from transformers import CLIPImageProcessor

    if mode not in RANDOM_MODES:
        raise ValueError(f"mode must be one of {RANDOM_MODES}, got {mode!r}")
    config_set = CONFIG_SETS[mode]
    torch.manual_seed(seed)
    networks = build_networks(config_set)
    return StableDiffusionPipeline(
        **networks,
        tokenizer=clip_tokenizer(),
        scheduler=PNDMScheduler.from_config(
            read_config(config_set, "scheduler")
        ),
        # CLIPImageProcessor's defaults are CLIP's preprocessing, as SD v1-4
        # publishes it.
        feature_extractor=CLIPImageProcessor(),
    )
