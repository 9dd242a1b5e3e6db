"""Chapter 6's image set: the course's `coco_humans` (`dlbook.downloads`) or
an offline folder of 16 sample images (`dlbook.samples`), in torchvision's
ImageFolder layout. `dlbook.imagefiles` reads it; `dlbook.preprocess`
prepares each image as CLIP expects.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from dlbook.downloads import (
    DataError,
    cache_dir,
    course_archive,
    fetch_archive,
)
from dlbook.samples import make_sample_folder


@dataclass
class ImageSet:
    root: Path
    name: str  # "coco_humans" or "offline samples"
    note: str = ""


def images_setting() -> str:
    """DLBOOK_IMAGES, else the package's own default, `auto` (the course's
    choice is _config.yml's `course.images`, which the build exports)."""
    return os.environ.get("DLBOOK_IMAGES", "auto")


def image_set(setting: str | None = None, timeout: float = 10.0) -> ImageSet:
    """The images chapter 6 runs on.

    Args:
        setting (`str`, *optional*):
            "coco_humans": the course's set, downloaded once into the cache
            (an error stops us); "offline": real photographs made without a
            network (`dlbook.samples`); "auto": the course's set if it is
            cached or downloads, else the offline one. Defaults to
            DLBOOK_IMAGES, else "auto".
        timeout (`float`, defaults to 10.0):
            Seconds the download may wait for each connection or read.

    Returns:
        `ImageSet`: the folder (one sub-folder per class), its name, and
        why it is not the course's set when it is not.

    Raises:
        `DataError`: an unknown setting, or "coco_humans" unavailable.
    """
    setting = setting or images_setting()
    if setting not in ("auto", "coco_humans", "offline"):
        raise DataError(
            f"DLBOOK_IMAGES={setting!r}: use auto, coco_humans or offline"
        )
    if setting != "offline":
        try:
            folder = fetch_archive(**course_archive(), timeout=timeout)
            return ImageSet(folder, "coco_humans")
        except DataError as error:
            if setting == "coco_humans":
                raise
            note = f"the course's set is not available here ({error})"
    else:
        note = "chosen by DLBOOK_IMAGES=offline"
    return ImageSet(
        make_sample_folder(cache_dir() / "offline-samples"),
        "offline samples",
        note,
    )
