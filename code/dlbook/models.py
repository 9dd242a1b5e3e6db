"""Stable Diffusion v1-4 for chapters 4-6: the real weights when they can be
had, else the same architectures with random weights.

One setting, ``DLBOOK_MODEL``, chooses:

- a hub id or a local folder (e.g. ``CompVis/stable-diffusion-v1-4``): the
  real weights, through ``StableDiffusionPipeline.from_pretrained``;
- ``random-full``: SD v1-4's published architectures (``configs/sd-v1-4``),
  random weights;
- ``random-small``: narrow, shallow networks (``configs/sd-small``) whose
  inputs and outputs have the real shapes, fast enough for a CPU;
- ``tiny-digits``: the book's own trained toy with SD's parts
  (``dlbook.digits``), which draws handwritten digits; chapter 5 paints with
  it whenever the page has no real weights;
- ``auto`` (the default): the real weights if cached or reachable within
  seconds, on a GPU or on a CPU with at least 12 GB of memory available; else
  ``random-small`` on a CPU and ``random-full`` on a GPU.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from dlbook import device as devices
from dlbook import hub
from dlbook.networks import CONFIG_SETS, RANDOM_MODES, random_pipeline
from dlbook.pretrained import ModelLoadError, pretrained_pipeline
from dlbook.tokenizer import clip_tokenizer

# What `auto` tries and the notice recommends, for a dlbook installed alone;
# the course's semester build runs _config.yml's course.semester_model.
DEFAULT_MODEL_ID = "CompVis/stable-diffusion-v1-4"
TINY = "tiny-digits"
# SD v1-4 in float32 takes about 5.5 GB, and runs with copies beside it
AUTO_CPU_MEMORY_GB = 12


@dataclass
class LoadedModel:
    pipe: "object"  # a diffusers StableDiffusionPipeline
    mode: str  # "real", "tiny-digits", "random-small" or "random-full"
    source: str  # the model id or folder, or the config set
    note: str = ""  # why auto chose what it chose

    @property
    def random(self) -> bool:
        return self.mode in RANDOM_MODES


def quiet_loading() -> None:
    """Loading progress bars would land in every executed page."""
    import diffusers
    import huggingface_hub
    import transformers

    diffusers.utils.logging.disable_progress_bar()
    transformers.utils.logging.disable_progress_bar()
    # e.g. advice on dtype casts, once per network
    diffusers.utils.logging.set_verbosity_error()
    huggingface_hub.utils.disable_progress_bars()


# The book's callers and tests know this by its old name.
hub_reachable = hub.reachable


def model_setting() -> str:
    """DLBOOK_MODEL, else the package's own default, `auto`.

    The course's choice is _config.yml's `course.model`, which the build
    exports; this fallback serves a dlbook installed alone (Colab, pip),
    where no _config.yml exists. Every reader of the setting calls this.
    """
    return os.environ.get("DLBOOK_MODEL", "auto")


def load_model(setting=None, device=None, seed=0, needs=()) -> LoadedModel:
    """Load the Stable Diffusion pipeline that a model setting names.

    Args:
        setting (`str`, *optional*):
            A hub id or local folder, "random-full", "random-small",
            "tiny-digits" or "auto" (see the module doc). Defaults to
            DLBOOK_MODEL, else "auto".
        device (`str`, *optional*):
            "cpu", "cuda" or "cuda:N". Defaults to DLBOOK_DEVICE's choice
            (`dlbook.device.choose`).
        seed (`int`, defaults to 0):
            Seeds the random weights, when random weights are loaded.
        needs (`tuple[str]`, defaults to `()`):
            Components the caller uses, e.g. `("safety_checker",)`.

    Returns:
        `LoadedModel`: the pipeline, on `device` in its dtype
        (`dlbook.device.dtype_for`) with progress bars off, and what was
        loaded (`mode`, `source`, and `note`: why `auto` chose it).

    Raises:
        `ModelLoadError`: the setting cannot be loaded, or the model lacks
        a component in `needs`; the message says why.
        `DeviceError`: `device` is unknown, or names a GPU that torch
        cannot use (`dlbook.device.choose`).
    """
    quiet_loading()
    setting = setting or model_setting()
    device = devices.choose(device)  # an explicit device is checked too
    if setting == TINY:
        pipe = tiny_pipeline(device)
        loaded = LoadedModel(pipe, TINY, "dlbook/assets/tiny-digits")
    elif setting in RANDOM_MODES:
        pipe = random_pipeline(setting, seed)
        loaded = LoadedModel(pipe, setting, CONFIG_SETS[setting])
    elif setting != "auto":
        pipe = pretrained_pipeline(setting, device)
        loaded = LoadedModel(pipe, "real", setting)
    else:
        loaded = auto_model(device, seed)
    if loaded.mode == "real" and not Path(loaded.source).exists():
        loaded.note = hub.stand_in_note() or loaded.note
    missing = [name for name in needs if getattr(loaded.pipe, name) is None]
    if missing:  # e.g. tiny-digits has no safety checker
        raise ModelLoadError(
            f"DLBOOK_MODEL={setting!r} has no {' or '.join(missing)}, which "
            "this chapter needs: use auto, random-small, random-full or a "
            "Stable Diffusion id"
        )
    loaded.pipe.set_progress_bar_config(disable=True)
    return to_device(loaded, device)


def tiny_pipeline(device: str):
    """tiny-digits from the package, by the same from_pretrained as the real
    weights; its tokenizer is CLIP's, rebuilt from the vocabulary the package
    ships."""
    from dlbook import digits

    folder = Path(str(digits.folder()))
    length = json.loads(
        (folder / "text_encoder" / "config.json").read_text()
    )
    tokenizer = clip_tokenizer(length["max_position_embeddings"])
    return pretrained_pipeline(str(folder), device, tokenizer=tokenizer)


def auto_choice(device: str) -> tuple[str, str, bool]:
    """What `auto` takes on `device`: (DEFAULT_MODEL_ID or a random mode,
    why, whether from the cache). One decision, for loading and for the
    build's fingerprint. Real weights only where they fit: on a GPU, or on a
    CPU with clearly enough memory."""
    from huggingface_hub import try_to_load_from_cache

    free_gb = devices.available_memory() / 2**30
    if not device.startswith("cuda") and free_gb < AUTO_CPU_MEMORY_GB:
        why = (
            f"{free_gb:.1f} GB of memory is available, and `auto` uses the "
            f"real weights on a CPU only with {AUTO_CPU_MEMORY_GB} GB; name "
            "the model to insist"
        )
        return "random-small", why, False
    index = try_to_load_from_cache(DEFAULT_MODEL_ID, "model_index.json")
    if isinstance(index, str):  # a cached copy; a broken one is an error
        return DEFAULT_MODEL_ID, "found in the local cache", True
    if hub_reachable(DEFAULT_MODEL_ID):
        return DEFAULT_MODEL_ID, "downloaded from the hub", False
    mode = "random-full" if device.startswith("cuda") else "random-small"
    return mode, f"{DEFAULT_MODEL_ID} is neither cached nor reachable", False


def auto_model(device: str, seed: int) -> LoadedModel:
    choice, why, cached = auto_choice(device)
    if choice in RANDOM_MODES:
        pipe = random_pipeline(choice, seed)
        return LoadedModel(pipe, choice, CONFIG_SETS[choice], why)
    pipe = pretrained_pipeline(choice, device, local_files_only=cached)
    return LoadedModel(pipe, "real", choice, why)


def to_device(loaded: LoadedModel, device: str) -> LoadedModel:
    loaded.pipe = loaded.pipe.to(device, devices.dtype_for(device))
    return loaded


def resolve(setting=None, device=None) -> str:
    """What `load_model` would load, said without loading it (the build
    fingerprints this, so `auto` and the mode it chooses are one build).

    Args:
        setting: a DLBOOK_MODEL value; DLBOOK_MODEL's own by default.
        device: "cpu" or "cuda[:N]"; DLBOOK_DEVICE's choice by default.

    Returns:
        e.g. "random-small on cpu float32" or
        "CompVis/stable-diffusion-v1-4 on cuda float16".
    """
    setting = setting or model_setting()
    device = devices.choose(device)  # an explicit device is checked too
    chosen = auto_choice(device)[0] if setting == "auto" else setting
    dtype = str(devices.dtype_for(device)).removeprefix("torch.")
    return f"{chosen} on {device} {dtype}"
