"""An offline image folder for chapter 6: 16 real photographs, built from the
images that scikit-image and matplotlib ship, with the awkward cases a real
folder has (grayscale, RGBA, odd sizes)."""

import io
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image


@dataclass(frozen=True)
class SampleImage:
    label: str  # the ImageFolder class (sub-folder)
    name: str
    source: str  # "skimage:<function>" or "matplotlib:<sample file>"
    # crop (left, top, right, bottom)
    box: tuple[int, int, int, int] | None = None
    size: tuple[int, int] | None = None  # resize to (width, height)
    suffix: str = ".jpg"


SAMPLES = (
    SampleImage("people", "astronaut", "skimage:astronaut"),
    SampleImage(
        "people",
        "astronaut-640x480",
        "skimage:astronaut",
        (0, 64, 512, 448),
        (640, 480),
    ),
    SampleImage("people", "grace-hopper", "matplotlib:grace_hopper.jpg"),
    SampleImage(
        "people",
        "grace-hopper-face",
        "matplotlib:grace_hopper.jpg",
        (100, 60, 420, 380),
    ),
    SampleImage("people", "cameraman-gray", "skimage:camera"),
    SampleImage("animals", "chelsea", "skimage:chelsea"),
    SampleImage(
        "animals", "chelsea-tall", "skimage:chelsea", (100, 0, 250, 300)
    ),
    SampleImage(
        "animals", "chelsea-small", "skimage:chelsea", None, (160, 106)
    ),
    SampleImage("objects", "coffee", "skimage:coffee"),
    SampleImage("objects", "rocket", "skimage:rocket"),
    SampleImage(
        "objects", "rocket-wide", "skimage:rocket", (0, 100, 640, 260)
    ),
    SampleImage("objects", "logo-rgba", "skimage:logo", suffix=".png"),
    SampleImage(
        "objects", "colorwheel", "skimage:colorwheel", suffix=".png"
    ),
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

        picture = Image.open(
            matplotlib.cbook.get_sample_data(name, asfileobj=False)
        )
    if sample.box:
        picture = picture.crop(sample.box)
    if sample.size:
        picture = picture.resize(sample.size, Image.Resampling.LANCZOS)
    return picture


def make_sample_folder(root: Path) -> Path:
    """Write SAMPLES as an ImageFolder tree under `root` (same bytes on every
    run)."""
    root = Path(root)
    for sample in SAMPLES:
        path = root / sample.label / (sample.name + sample.suffix)
        path.parent.mkdir(parents=True, exist_ok=True)
        form = Image.registered_extensions()[sample.suffix]
        # quality: keeps L as grayscale JPEG, which the loader must cope with
        options = {"quality": 90} if form == "JPEG" else {}
        encoded = io.BytesIO()
        sample_picture(sample).save(encoded, format=form, **options)
        data = encoded.getvalue()
        if path.exists() and path.read_bytes() == data:
            continue  # already there: another process may be reading it
        # Written whole, then renamed into place: a reader gets the old file
        # or the new, never half of one.
        partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)
    return root
