"""Stable Diffusion v1-4 for chapters 4-6: the real weights when they can be had, else the same
architectures with random weights.

One setting, ``DLBOOK_MODEL``, chooses:

- a hub id or a local folder (e.g. ``CompVis/stable-diffusion-v1-4``): the real weights, through
  ``StableDiffusionPipeline.from_pretrained``;
- ``random-full``: SD v1-4's published architectures (``configs/sd-v1-4``), random weights;
- ``random-small``: narrow, shallow networks (``configs/sd-small``) whose inputs and outputs have
  the real shapes, fast enough for a CPU;
- ``tiny-digits``: the book's own trained toy with SD's parts (``dlbook.digits``), which draws
  handwritten digits; chapter 5 paints with it whenever the page has no real weights;
- ``auto`` (the default): the real weights if cached or reachable within seconds, on a GPU or on
  a CPU with at least 12 GB of memory available; else ``random-small`` on a CPU and
  ``random-full`` on a GPU.
"""

import gzip
import json
import os
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import torch

from dlbook import device as devices

DEFAULT_MODEL_ID = "CompVis/stable-diffusion-v1-4"
RANDOM_MODES = ("random-small", "random-full")
TINY = "tiny-digits"
CONFIG_SETS = {"random-full": "sd-v1-4", "random-small": "sd-small"}
HUB_PROBE_TIMEOUT_S = 5.0
AUTO_CPU_MEMORY_GB = 12  # SD v1-4 in float32 takes about 5.5 GB, and runs with copies beside it


class ModelLoadError(RuntimeError):
    """The model named by DLBOOK_MODEL could not be loaded; the message says why."""


@dataclass
class LoadedModel:
    pipe: "object"  # a diffusers StableDiffusionPipeline
    mode: str  # "real", "random-small" or "random-full"
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
    diffusers.utils.logging.set_verbosity_error()  # e.g. advice on dtype casts, once per network
    huggingface_hub.utils.disable_progress_bars()


def read_config(config_set: str, name: str) -> dict:
    """A network's config as keyword arguments (class names and comments dropped)."""
    text = resources.files("dlbook").joinpath("configs", config_set, f"{name}.json").read_text()
    return {
        key: value
        for key, value in json.loads(text).items()
        if not key.startswith("_") and key != "architectures"
    }


def build_networks(config_set: str = "sd-v1-4") -> dict[str, torch.nn.Module]:
    """The four networks of the pipeline, built from configs (weights random, or none on 'meta')."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from diffusers.pipelines.stable_diffusion.safety_checker import StableDiffusionSafetyChecker
    from transformers import CLIPConfig, CLIPTextConfig, CLIPTextModel

    return {
        "vae": AutoencoderKL(**read_config(config_set, "vae")),
        "text_encoder": CLIPTextModel(CLIPTextConfig(**read_config(config_set, "text_encoder"))),
        "unet": UNet2DConditionModel(**read_config(config_set, "unet")),
        "safety_checker": StableDiffusionSafetyChecker(
            CLIPConfig(**read_config(config_set, "safety_checker"))
        ),
    }


@cache
def clip_vocabulary() -> tuple[dict[str, int], tuple[str, ...]]:
    """CLIP's byte-level BPE (vocab, merges) from the file CLIP and open_clip ship.

    The layout follows CLIP's SimpleTokenizer: 256 byte symbols, the same with an end-of-word
    marker, one symbol per merge, then the two special tokens (ids 49406, 49407).
    """
    data = resources.files("dlbook").joinpath("assets", "bpe_simple_vocab_16e6.txt.gz")
    lines = gzip.decompress(data.read_bytes()).decode("utf-8").split("\n")
    merges = tuple(lines[1 : 49152 - 256 - 2 + 1])
    symbols = list(bytes_to_unicode().values())
    symbols += [symbol + "</w>" for symbol in symbols]
    symbols += ["".join(merge.split()) for merge in merges]
    symbols += ["<|startoftext|>", "<|endoftext|>"]
    return {symbol: index for index, symbol in enumerate(symbols)}, merges


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP's reversible map from bytes to printable unicode characters."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, codes), strict=True))


def clip_tokenizer(max_length: int = 77):
    """SD v1-4's tokenizer (CLIP ViT-L/14's), built offline: pads with <|endoftext|> to 77
    tokens (or `max_length`)."""
    from transformers import CLIPTokenizer

    vocab, merges = clip_vocabulary()
    pairs = [tuple(merge.split()) for merge in merges]
    return CLIPTokenizer(vocab=dict(vocab), merges=pairs, model_max_length=max_length)


def random_pipeline(mode: str = "random-small", seed: int = 0):
    """A StableDiffusionPipeline with SD v1-4's parts and random weights (seeded)."""
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
        scheduler=PNDMScheduler.from_config(read_config(config_set, "scheduler")),
        # CLIPImageProcessor's defaults are CLIP's preprocessing, as SD v1-4 publishes it.
        feature_extractor=CLIPImageProcessor(),
    )


def pretrained_pipeline(model: str, device: str, local_files_only: bool = False, **components):
    """Trained weights, by hub id or local folder, with today's diffusers arguments (and any
    `components` given ready-made instead of loaded)."""
    from diffusers import StableDiffusionPipeline
    from huggingface_hub import errors
    from huggingface_hub.utils import validate_repo_id

    folder = Path(model).expanduser()
    if folder.exists() and not (folder / "model_index.json").is_file():
        raise ModelLoadError(f"DLBOOK_MODEL={model!r} is a folder without model_index.json")
    if not folder.exists():
        try:
            validate_repo_id(model)
        except errors.HFValidationError as error:
            raise ModelLoadError(
                f"DLBOOK_MODEL={model!r} is neither an existing folder nor a valid hub id"
            ) from error
    kwargs = {"dtype": devices.dtype_for(device)}
    if kwargs["dtype"] == torch.float16 and not folder.exists():
        kwargs["variant"] = "fp16"
    try:
        return StableDiffusionPipeline.from_pretrained(
            str(folder) if folder.exists() else model,
            token=hf_token(),
            local_files_only=local_files_only,
            **kwargs,
            **components,
        )
    except errors.GatedRepoError as error:
        raise ModelLoadError(
            f"{model!r} is gated: accept its license on the Hugging Face Hub, then set HF_TOKEN"
        ) from error
    except errors.RepositoryNotFoundError as error:
        raise ModelLoadError(
            f"model id {model!r} was not found on the Hugging Face Hub "
            "(a typo, or a private repository that needs HF_TOKEN)"
        ) from error
    except (errors.LocalEntryNotFoundError, OSError) as error:
        where = "in the local cache" if local_files_only else "in the cache or on the hub"
        raise ModelLoadError(f"could not load {model!r} {where}: {error}") from error


def hub_reachable(model: str, timeout: float = HUB_PROBE_TIMEOUT_S) -> bool:
    """Whether the hub answers for `model` within `timeout` seconds (never hangs)."""
    from huggingface_hub import HfApi

    try:
        HfApi().model_info(model, timeout=timeout, token=hf_token())
    except Exception:  # unreachable, unknown, gated: in every case auto falls back
        return False
    return True


def hf_token() -> str | None:
    """HF_TOKEN from the environment only, never from a page. Empty means none: an unset Actions
    secret arrives as "", and huggingface_hub would send it as a bare `Bearer ` header."""
    return os.environ.get("HF_TOKEN", "").strip() or None


def load_model(setting: str | None = None, device: str | None = None, seed: int = 0):
    """Load the pipeline that DLBOOK_MODEL (or `setting`) names, on `device`. See the module doc."""
    quiet_loading()
    setting = setting or os.environ.get("DLBOOK_MODEL", "auto")
    device = device or devices.choose()
    if setting == TINY:
        loaded = LoadedModel(tiny_pipeline(device), TINY, "dlbook/assets/tiny-digits")
    elif setting in RANDOM_MODES:
        loaded = LoadedModel(random_pipeline(setting, seed), setting, CONFIG_SETS[setting])
    elif setting != "auto":
        loaded = LoadedModel(pretrained_pipeline(setting, device), "real", setting)
    else:
        loaded = auto_model(device, seed)
    loaded.pipe.set_progress_bar_config(disable=True)
    return to_device(loaded, device)


def tiny_pipeline(device: str):
    """tiny-digits from the package, by the same from_pretrained as the real weights; its
    tokenizer is CLIP's, rebuilt from the vocabulary the package ships."""
    from dlbook import digits

    folder = Path(str(digits.folder()))
    length = json.loads((folder / "text_encoder" / "config.json").read_text())
    tokenizer = clip_tokenizer(length["max_position_embeddings"])
    return pretrained_pipeline(str(folder), device, tokenizer=tokenizer)


def auto_model(device: str, seed: int) -> LoadedModel:
    """Real weights where they fit: on a GPU, or on a CPU with clearly enough memory."""
    free_gb = devices.available_memory() / 2**30
    if not device.startswith("cuda") and free_gb < AUTO_CPU_MEMORY_GB:
        note = (
            f"{free_gb:.1f} GB of memory is available, and `auto` uses the real weights on a "
            f"CPU only with {AUTO_CPU_MEMORY_GB} GB; name the model to insist"
        )
        return LoadedModel(random_pipeline("random-small", seed), "random-small", "sd-small", note)
    try:
        pipe = pretrained_pipeline(DEFAULT_MODEL_ID, device, local_files_only=True)
        return LoadedModel(pipe, "real", DEFAULT_MODEL_ID, "found in the local cache")
    except ModelLoadError:
        pass
    if hub_reachable(DEFAULT_MODEL_ID):
        pipe = pretrained_pipeline(DEFAULT_MODEL_ID, device)
        return LoadedModel(pipe, "real", DEFAULT_MODEL_ID, "downloaded from the hub")
    mode = "random-full" if device.startswith("cuda") else "random-small"
    note = f"{DEFAULT_MODEL_ID} is neither cached nor reachable"
    return LoadedModel(random_pipeline(mode, seed), mode, CONFIG_SETS[mode], note)


def to_device(loaded: LoadedModel, device: str) -> LoadedModel:
    loaded.pipe = loaded.pipe.to(device, devices.dtype_for(device))
    return loaded


def describe(loaded: LoadedModel) -> str:
    """One sentence for the page: which weights produced what follows."""
    if loaded.random:
        return (
            f"These results come from **random weights** (`{loaded.mode}`, configs "
            f"`dlbook/configs/{loaded.source}`){': ' + loaded.note if loaded.note else ''}. "
            "The shapes and the algorithm are the real ones; the images are noise. "
            f"Set `DLBOOK_MODEL={DEFAULT_MODEL_ID}` (and `HF_TOKEN` if needed) "
            "for the real weights."
        )
    if loaded.mode == TINY:
        return (
            "These pictures come from **tiny-digits**, the book's own toy text-to-image model: "
            "Stable Diffusion's parts at a thousandth of the size, trained on 16 × 16 "
            "handwritten digits (`tools/train_tiny_digits.py`)."
        )
    how = loaded.note or "as set"
    return f"These results come from the real weights of `{loaded.source}` ({how})."


def banner(loaded: LoadedModel):
    """The page's notice of which weights it ran on, as an admonition (HTML works everywhere)."""
    import re
    from html import escape

    from IPython.display import HTML

    kind, title = ("warning", "Random weights") if loaded.random else ("note", "Real weights")
    text = escape(describe(loaded))
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"`(.+?)`", r"<code>\1</code>", text)
    return HTML(
        f'<div class="admonition {kind}"><p class="admonition-title">{title}</p><p>{text}</p></div>'
    )
