"""Reading a folder of images without losing a file silently: every file
becomes an 8-bit RGB image, or is skipped with its reason, or stops us with
an error naming it; torchvision's ImageFolder then serves the usable ones.
"""

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from dlbook.downloads import DataError

# larger images are skipped (and listed), not decoded
MAX_PIXELS = 50_000_000
IMAGE_SUFFIXES = (
    ".jpg",
    ".jpeg",
    ".png",
    ".bmp",
    ".gif",
    ".tif",
    ".tiff",
    ".webp",
)


def check_image(path: Path, max_pixels: int = MAX_PIXELS) -> str | None:
    """Why `path` cannot be used as an image (None if it can), from cheap
    header checks."""
    try:
        with Image.open(path) as picture:
            width, height = picture.size
            kind = picture.format
            picture.verify()  # PNG: every chunk's CRC, so truncation shows
    except (UnidentifiedImageError, Image.DecompressionBombError) as error:
        return f"not an image PIL can read ({type(error).__name__})"
    except (OSError, SyntaxError, ValueError) as error:
        return f"damaged ({error})"
    if width * height > max_pixels:
        return f"too large ({width}×{height} pixels > {max_pixels:,})"
    if kind == "JPEG":
        with open(path, "rb") as file:
            file.seek(-2, os.SEEK_END)
            # a complete JPEG ends with the EOI marker
            if file.read() != b"\xff\xd9":
                return "truncated JPEG (no end-of-image marker)"
    return None


def open_rgb(path: str | Path) -> Image.Image:
    """Load any image as 8-bit RGB: the conversions are decided here, once,
    for all modes.

    Args:
        path (`str` or `Path`):
            An image file PIL can read.

    Returns:
        `PIL.Image.Image` in mode RGB, loaded (the file is closed).

    Raises:
        `DataError`: the file cannot be decoded; the message names it.
    """
    try:
        with Image.open(path) as picture:
            picture.load()
            return to_rgb(picture)
    except (OSError, SyntaxError, ValueError) as error:
        raise DataError(f"{path}: cannot be decoded ({error})") from error


def to_rgb(picture: Image.Image) -> Image.Image:
    """Any PIL image as 8-bit RGB, whatever its mode.

    Args:
        picture (`PIL.Image.Image`):
            16-bit, palette, transparent, grey, CMYK, ... or RGB.

    Returns:
        `PIL.Image.Image` in mode RGB: 16-bit scaled (not clipped) to 8
        bits, transparency composited onto white.
    """
    if picture.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit: scale to 8 bits; PIL's own convert would clip everything
        # above 255 to white.
        values = np.asarray(picture, dtype=np.float64)
        peak = (
            65535.0
            if picture.mode.startswith("I;16")
            else max(values.max(), 1.0)
        )
        picture = Image.fromarray(
            np.round(values / peak * 255).astype(np.uint8), mode="L"
        )
    if picture.mode == "P":
        picture = picture.convert("RGBA")
    if picture.mode in ("RGBA", "LA"):
        # Transparent pixels have arbitrary colour underneath: composite onto
        # white instead.
        background = Image.new("RGBA", picture.size, (255, 255, 255, 255))
        picture = Image.alpha_composite(background, picture.convert("RGBA"))
    return picture.convert("RGB")  # L, CMYK, YCbCr, RGBA-on-white → RGB


@dataclass
class Scan:
    usable: list[Path] = field(default_factory=list)
    # (file, reason)
    skipped: list[tuple[Path, str]] = field(default_factory=list)


def scan_folder(root: Path, max_pixels: int = MAX_PIXELS) -> Scan:
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such folder")
    scan = Scan()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if (
            path.name.startswith(".")
            or path.suffix.lower() not in IMAGE_SUFFIXES
        ):
            scan.skipped.append(
                (
                    path,
                    f"not an image file name ({path.suffix or 'no suffix'})",
                )
            )
        elif reason := check_image(path, max_pixels):
            scan.skipped.append((path, reason))
        else:
            scan.usable.append(path)
    return scan


def image_folder(root: Path, transform=None, max_pixels: int = MAX_PIXELS):
    """torchvision's ImageFolder over the usable files of `root`, and the
    list of skipped ones.

    Args:
        root (`Path`):
            A folder with one sub-folder of images per class.
        transform (*optional*):
            Applied to each RGB image, e.g. `clip_transform(processor)`.
        max_pixels (`int`, defaults to `MAX_PIXELS`):
            Larger images are skipped, not decoded.

    Returns:
        `(ImageFolder, list[tuple[Path, str]])`: the dataset, whose images
        load through `open_rgb`, and each skipped file (or empty class
        folder) with the reason.

    Raises:
        `DataError`: no usable image in a class sub-folder of `root`.
    """
    from torchvision.datasets import ImageFolder

    root = Path(
        root
    ).resolve()  # ImageFolder's paths must compare equal to the scan's
    scan = scan_folder(root, max_pixels)
    if not scan.usable:
        listed = "".join(
            f"\n  {path}: {reason}" for path, reason in scan.skipped
        )
        raise DataError(
            f"{root}: no usable images{listed or ' (the folder is empty)'}"
        )
    usable = {str(path) for path in scan.usable}
    try:
        dataset = ImageFolder(
            str(root),
            transform=transform,
            loader=open_rgb,
            is_valid_file=usable.__contains__,
            # an empty class folder is listed below, not fatal
            allow_empty=True,
        )
    # no class folder at all: images at the top level only
    except FileNotFoundError as error:
        raise DataError(
            f"{root}: {error}; put images in one sub-folder per class"
        ) from error
    found = {path for path, _ in dataset.samples}
    # ImageFolder ignores files outside class folders: say so
    for path in scan.usable:
        if str(path) not in found:
            scan.skipped.append((path, "not inside a class sub-folder"))
    if not dataset.samples:
        raise DataError(
            f"{root}: no usable images inside its class sub-folders"
        )
    present = set(dataset.targets)
    # kept, so that labels stay stable
    for name, index in dataset.class_to_idx.items():
        if index not in present:
            scan.skipped.append(
                (root / name, "an empty class folder (no usable images)")
            )
    return dataset, scan.skipped
