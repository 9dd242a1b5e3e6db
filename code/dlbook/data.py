"""Chapter 6's data: the course's image set (downloaded, verified, extracted safely) or an offline
folder of real photographs, read with torchvision's ImageFolder without losing a file silently.
"""

import contextlib
import hashlib
import os
import shutil
import socket
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

COCO_HUMANS_URL = "https://cs7150.baulab.info/2023-Fall/data/coco_humans.zip"
COCO_HUMANS_SIZE = 39_144_514  # bytes, from the course's own download log
COCO_HUMANS_SHA256 = None  # not published: pin it here once a verified copy has been hashed
MAX_PIXELS = 50_000_000  # larger images are skipped (and listed), not decoded
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")


class DataError(RuntimeError):
    """A data set could not be fetched, verified or read; the message names the file and cause."""


def cache_dir() -> Path:
    """Where downloads go: $DLBOOK_DATA, else the user's cache folder (never the repository)."""
    if os.environ.get("DLBOOK_DATA"):
        return Path(os.environ["DLBOOK_DATA"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dlbook"


# Downloading, verifying, extracting.


@contextlib.contextmanager
def socket_timeout(seconds: float):
    """torchvision's download helpers open URLs without a timeout; a dead host must not hang us."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def sha256sum(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_archive(path: Path, size: int | None, sha256: str | None) -> None:
    """Size, then checksum, then every member's CRC: raise DataError naming what failed."""
    actual = path.stat().st_size
    if size is not None and actual != size:
        raise DataError(f"{path}: {actual:,} bytes, expected {size:,} (incomplete download?)")
    if sha256 is not None and (digest := sha256sum(path)) != sha256:
        raise DataError(f"{path}: sha256 {digest}, expected {sha256}")
    try:
        with zipfile.ZipFile(path) as archive:
            broken = archive.testzip()
    except zipfile.BadZipFile as error:
        raise DataError(f"{path}: not a valid zip archive ({error})") from error
    if broken is not None:
        raise DataError(f"{path}: member {broken!r} fails its CRC check")


def safe_extract(archive_path: Path, target: Path) -> Path:
    """Extract a zip into `target`, refusing any member that would land outside it."""
    target = target.resolve()
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(archive_path) as archive:
        for member in archive.infolist():
            destination = (staging / member.filename).resolve()
            is_link = (member.external_attr >> 16) & 0o170000 == 0o120000
            if not destination.is_relative_to(staging.resolve()) or is_link:
                shutil.rmtree(staging, ignore_errors=True)
                raise DataError(
                    f"{archive_path}: member {member.filename!r} would be written outside "
                    f"{target}; refusing to extract this archive"
                )
        archive.extractall(staging)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)  # only a complete extraction ever appears under the final name
    return target


def fetch_archive(
    url: str = COCO_HUMANS_URL,
    size: int | None = COCO_HUMANS_SIZE,
    sha256: str | None = COCO_HUMANS_SHA256,
    root: Path | None = None,
    timeout: float = 30.0,
) -> Path:
    """Download (once), verify and extract a zip of images; return the extracted folder.

    A folder that was extracted from a verified archive is reused without any network access.
    """
    from torchvision.datasets.utils import download_url

    root = Path(root) if root is not None else cache_dir()
    filename = url.rsplit("/", 1)[-1]
    archive, folder = root / filename, root / Path(filename).stem
    done = folder.with_name(folder.name + ".verified")
    if done.exists() and folder.is_dir():
        return folder
    if not archive.exists():
        root.mkdir(parents=True, exist_ok=True)
        try:
            with socket_timeout(timeout):
                download_url(url, str(root), filename)
        except OSError as error:  # URLError, timeouts and refused connections are OSErrors
            archive.unlink(missing_ok=True)
            raise DataError(f"could not download {url}: {error}") from error
    try:
        verify_archive(archive, size, sha256)
    except DataError as error:
        rejected = archive.with_name(archive.name + ".rejected")
        archive.replace(rejected)  # kept for inspection; the next call downloads afresh
        raise DataError(f"{error}; moved to {rejected}") from error
    safe_extract(archive, folder)
    done.write_text(sha256sum(archive))
    return folder


# An offline image folder from photographs that installed packages ship.


@dataclass(frozen=True)
class SampleImage:
    label: str  # the ImageFolder class (sub-folder)
    name: str
    source: str  # "skimage:<function>" or "matplotlib:<sample file>"
    box: tuple[int, int, int, int] | None = None  # crop (left, top, right, bottom)
    size: tuple[int, int] | None = None  # resize to (width, height)
    suffix: str = ".jpg"


SAMPLES = (
    SampleImage("people", "astronaut", "skimage:astronaut"),
    SampleImage("people", "astronaut-640x480", "skimage:astronaut", (0, 64, 512, 448), (640, 480)),
    SampleImage("people", "grace-hopper", "matplotlib:grace_hopper.jpg"),
    SampleImage("people", "grace-hopper-face", "matplotlib:grace_hopper.jpg", (100, 60, 420, 380)),
    SampleImage("people", "cameraman-gray", "skimage:camera"),
    SampleImage("animals", "chelsea", "skimage:chelsea"),
    SampleImage("animals", "chelsea-tall", "skimage:chelsea", (100, 0, 250, 300)),
    SampleImage("animals", "chelsea-small", "skimage:chelsea", None, (160, 106)),
    SampleImage("objects", "coffee", "skimage:coffee"),
    SampleImage("objects", "rocket", "skimage:rocket"),
    SampleImage("objects", "rocket-wide", "skimage:rocket", (0, 100, 640, 260)),
    SampleImage("objects", "logo-rgba", "skimage:logo", suffix=".png"),
    SampleImage("objects", "colorwheel", "skimage:colorwheel", suffix=".png"),
    SampleImage("scenes", "hubble", "skimage:hubble_deep_field"),
    SampleImage("scenes", "retina-1411", "skimage:retina"),
    SampleImage("scenes", "moon-gray", "skimage:moon", suffix=".png"),
)


def sample_picture(sample: SampleImage) -> Image.Image:
    kind, name = sample.source.split(":")
    if kind == "skimage":
        import skimage.data

        picture = Image.fromarray(getattr(skimage.data, name)())
    else:
        import matplotlib.cbook

        picture = Image.open(matplotlib.cbook.get_sample_data(name, asfileobj=False))
    if sample.box:
        picture = picture.crop(sample.box)
    if sample.size:
        picture = picture.resize(sample.size, Image.Resampling.LANCZOS)
    return picture


def make_sample_folder(root: Path) -> Path:
    """Write SAMPLES as an ImageFolder tree under `root` (same bytes on every run)."""
    root = Path(root)
    for sample in SAMPLES:
        path = root / sample.label / (sample.name + sample.suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        picture = sample_picture(sample)
        if sample.suffix == ".jpg":
            picture.save(path, quality=90)  # keeps L as grayscale JPEG: the loader must cope
        else:
            picture.save(path)
    return root


# Reading: every file becomes an RGB image, is skipped with a stated reason, or stops us.


def check_image(path: Path, max_pixels: int = MAX_PIXELS) -> str | None:
    """Why `path` cannot be used as an image (None if it can), from cheap header checks."""
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
            if file.read() != b"\xff\xd9":  # a complete JPEG ends with the EOI marker
                return "truncated JPEG (no end-of-image marker)"
    return None


def open_rgb(path: str | Path) -> Image.Image:
    """Load any image as 8-bit RGB: the conversions are decided here, once, for all modes."""
    try:
        with Image.open(path) as picture:
            picture.load()
            return to_rgb(picture)
    except (OSError, SyntaxError, ValueError) as error:
        raise DataError(f"{path}: cannot be decoded ({error})") from error


def to_rgb(picture: Image.Image) -> Image.Image:
    if picture.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit: scale to 8 bits; PIL's own convert would clip everything above 255 to white.
        values = np.asarray(picture, dtype=np.float64)
        peak = 65535.0 if picture.mode.startswith("I;16") else max(values.max(), 1.0)
        picture = Image.fromarray(np.round(values / peak * 255).astype(np.uint8), mode="L")
    if picture.mode == "P":
        picture = picture.convert("RGBA")
    if picture.mode in ("RGBA", "LA"):
        # Transparent pixels have arbitrary colour underneath: composite onto white instead.
        background = Image.new("RGBA", picture.size, (255, 255, 255, 255))
        picture = Image.alpha_composite(background, picture.convert("RGBA"))
    return picture.convert("RGB")  # L, CMYK, YCbCr, RGBA-on-white → RGB


@dataclass
class Scan:
    usable: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # (file, reason)


def scan_folder(root: Path, max_pixels: int = MAX_PIXELS) -> Scan:
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"{root}: no such folder")
    scan = Scan()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.name.startswith(".") or path.suffix.lower() not in IMAGE_SUFFIXES:
            scan.skipped.append((path, f"not an image file name ({path.suffix or 'no suffix'})"))
        elif reason := check_image(path, max_pixels):
            scan.skipped.append((path, reason))
        else:
            scan.usable.append(path)
    return scan


def image_folder(root: Path, transform=None, max_pixels: int = MAX_PIXELS):
    """torchvision's ImageFolder over the usable files of `root`, and the list of skipped ones."""
    from torchvision.datasets import ImageFolder

    root = Path(root).resolve()  # ImageFolder's paths must compare equal to the scan's
    scan = scan_folder(root, max_pixels)
    if not scan.usable:
        listed = "".join(f"\n  {path}: {reason}" for path, reason in scan.skipped)
        raise DataError(f"{root}: no usable images{listed or ' (the folder is empty)'}")
    usable = {str(path) for path in scan.usable}
    try:
        dataset = ImageFolder(
            str(root),
            transform=transform,
            loader=open_rgb,
            is_valid_file=usable.__contains__,
            allow_empty=True,  # an empty class folder is listed below, not fatal
        )
    except FileNotFoundError as error:  # no class folder at all: images at the top level only
        raise DataError(f"{root}: {error}; put images in one sub-folder per class") from error
    found = {path for path, _ in dataset.samples}
    for path in scan.usable:  # ImageFolder ignores files outside class folders: say so
        if str(path) not in found:
            scan.skipped.append((path, "not inside a class sub-folder"))
    if not dataset.samples:
        raise DataError(f"{root}: no usable images inside its class sub-folders")
    present = set(dataset.targets)
    for name, index in dataset.class_to_idx.items():  # kept, so that labels stay stable
        if index not in present:
            scan.skipped.append((root / name, "an empty class folder (no usable images)"))
    return dataset, scan.skipped


class CenterCropDown:
    """Center crop whose offsets round down, as transformers' image processors do.

    torchvision's CenterCrop rounds them to nearest: for an odd margin the two differ by a pixel.
    """

    def __init__(self, size: int):
        self.size = size

    def __call__(self, image):
        from torchvision.transforms.v2 import functional

        height, width = image.shape[-2:]
        top, left = (height - self.size) // 2, (width - self.size) // 2
        return functional.crop(image, top, left, self.size, self.size)


def clip_transform(processor):
    """CLIP's preprocessing as a torchvision transform, step for step as `processor` does it:
    resize the short side to 224 (bicubic), center-crop 224×224, scale to [0, 1] and normalize
    with the processor's own mean and std."""
    import torch
    from torchvision.transforms import v2

    mean, std = processor.image_mean, processor.image_std
    bicubic = v2.InterpolationMode.BICUBIC
    return v2.Compose(
        [
            v2.PILToTensor(),  # (3, H, W) uint8
            v2.Resize(processor.size["shortest_edge"], bicubic, antialias=True),
            CenterCropDown(processor.crop_size["height"]),  # (3, 224, 224)
            v2.ToDtype(torch.float32, scale=True),  # / 255
            v2.Normalize(mean=mean, std=std),
        ]
    )


@dataclass
class ImageSet:
    root: Path
    name: str  # "coco_humans" or "offline samples"
    note: str = ""


def image_set(setting: str | None = None, timeout: float = 10.0) -> ImageSet:
    """The images chapter 6 runs on, chosen by DLBOOK_IMAGES (default "auto").

    "coco_humans": the course's set (download errors stop us); "offline": SAMPLES; "auto": the
    course's set if it is cached or downloads within `timeout` seconds, else SAMPLES.
    """
    setting = setting or os.environ.get("DLBOOK_IMAGES", "auto")
    if setting not in ("auto", "coco_humans", "offline"):
        raise DataError(f"DLBOOK_IMAGES={setting!r}: use auto, coco_humans or offline")
    if setting != "offline":
        try:
            return ImageSet(fetch_archive(timeout=timeout), "coco_humans")
        except DataError as error:
            if setting == "coco_humans":
                raise
            note = f"the course's set is not available here ({error})"
    else:
        note = "chosen by DLBOOK_IMAGES=offline"
    return ImageSet(make_sample_folder(cache_dir() / "offline-samples"), "offline samples", note)
