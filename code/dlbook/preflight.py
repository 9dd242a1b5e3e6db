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

from dlbook import data, hub, models
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
    setting = os.environ.get("DLBOOK_MODEL", "auto")
    commit = ""
    if setting not in ("auto", models.TINY, *models.RANDOM_MODES) and not (
        os.path.isdir(setting)
    ):
        try:
            info = hub.check_access(setting)
        except hub.HubError as error:
            raise models.ModelLoadError(str(error)) from error
        commit = ", cached" if info is None else f", commit {info.sha}"
    loaded = models.load_model(setting, device)
    size = sum(p.numel() for p in loaded.pipe.unet.parameters())
    note = f"; {loaded.note}" if loaded.note else ""
    found["model"] = (
        f"{loaded.mode} {loaded.source}{commit} "
        f"({size:,} UNet parameters{note})"
    )
    del loaded
    images = data.image_set()
    count = len(data.scan_folder(images.root).usable)
    found["images"] = f"{images.name}: {count:,} images, {images.root}"
    found["seconds"] = f"{time.monotonic() - start:.1f}"
    return found


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
