"""The semester build's preflight: everything chapters 4-6 will need, had
and checked before any chapter runs, so that a missing GPU, a gated model, a
rejected token or a broken download stops the build in seconds with its
cause, not half an hour into it.

    python -m dlbook.preflight   # prints what the build will run on; exit 1
                                 # with the reason when something is missing
"""

import os
import sys
import time
from pathlib import Path

from dlbook import data, imagefiles, models
from dlbook import device as devices


def check() -> dict[str, str]:
    """Resolve the device, the model and the image set as the chapters will,
    fetching the weights and the images into their caches.

    Returns:
        What was found: device, model (mode, source, commit, parameters),
        images (name, count, where), and the seconds each took.

    Raises:
        devices.DeviceError, models.ModelLoadError, data.DataError: naming
        the setting and the cause.
    """
    found = {}
    start = time.monotonic()
    device = devices.choose()
    found["device"] = devices.describe(device)
    setting = models.model_setting()
    # load_model asks the hub first (gated, unknown id, a rejected token)
    loaded = models.load_model(setting, device)
    size = sum(p.numel() for p in loaded.pipe.unet.parameters())
    note = f"; {loaded.note}" if loaded.note else ""
    found["model"] = (
        f"{loaded.mode} {loaded.source}{commit(loaded)} "
        f"({size:,} UNet parameters{note})"
    )
    del loaded
    images = data.image_set()
    count = len(imagefiles.scan_folder(images.root).usable)
    found["images"] = f"{images.name}: {count:,} images, {images.root}"
    found["seconds"] = f"{time.monotonic() - start:.1f}"
    return found


def commit(loaded) -> str:
    """The commit of weights from the hub's cache (its snapshot folder is
    named for it), as ", commit <sha>"; else an empty string."""
    from huggingface_hub import try_to_load_from_cache

    if loaded.mode != "real" or os.path.isdir(loaded.source):
        return ""
    index = try_to_load_from_cache(loaded.source, "model_index.json")
    if not isinstance(index, str):
        return ""
    return f", commit {Path(index).parent.name}"


def main() -> None:
    try:
        found = check()
    except (
        devices.DeviceError,
        models.ModelLoadError,
        data.DataError,
    ) as error:
        sys.exit(f"dlbook.preflight: {error}")
    for key, value in found.items():
        print(f"dlbook.preflight: {key}: {value}")


if __name__ == "__main__":
    main()
