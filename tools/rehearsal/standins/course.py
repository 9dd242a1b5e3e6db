"""The course's download host, on loopback: a `coco_humans`-shaped zip (1,000 JPEGs of
224 × 224 in one folder, the single class the homework's ImageFolder saw) served over HTTP.

The pictures are crops of the photographs scikit-image ships, not COCO's: the rehearsal proves
the download, the checks and chapter 6's 1,000-image path, not what the real checker flags.
"""

import hashlib
import io
import zipfile
from pathlib import Path

from tools.rehearsal.standins import serve

IMAGES = 1000
SIDE = 224
PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "immunohistochemistry", "camera")


def write_archive(path: Path, images: int = IMAGES, seed: int = 0) -> Path:
    """A zip like the course's: `coco_humans/NNNN.jpg`, `images` JPEGs of SIDE × SIDE."""
    import numpy as np
    from PIL import Image
    from skimage import data

    rng = np.random.default_rng(seed)
    photos = [Image.fromarray(getattr(data, name)()).convert("RGB") for name in PHOTOS]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for index in range(images):
            photo = photos[index % len(photos)]
            side = int(rng.integers(SIDE, min(photo.size) + 1))
            left = int(rng.integers(0, photo.width - side + 1))
            top = int(rng.integers(0, photo.height - side + 1))
            crop = photo.crop((left, top, left + side, top + side)).resize((SIDE, SIDE))
            buffer = io.BytesIO()
            crop.save(buffer, "JPEG", quality=90)
            archive.writestr(f"coco_humans/{index:04d}.jpg", buffer.getvalue())
    return path


def describe(path: Path) -> tuple[int, str]:
    """(size in bytes, SHA-256): what the rehearsal pins, as downloads.py pins the real zip."""
    data = Path(path).read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()


class CourseHost(serve.Server):
    """Serves `archive` at `<url>/data/<its name>`; `truncate` cuts every reply to that many
    bytes while announcing the whole size (a download that breaks off)."""

    def __init__(self, archive: Path, truncate: int | None = None):
        host = self
        self.archive, self.truncate, self.requests = Path(archive), truncate, []

        class Handler(serve.Handler):
            def do_GET(self):
                host.requests.append(self.path)
                if self.path != f"/data/{host.archive.name}":
                    return self.error(404, None, "not found")
                headers = {"Content-Type": "application/zip"}
                self.send_file(200, host.archive, headers, count=host.truncate)
                if host.truncate is not None:
                    self.close_connection = True

        super().__init__(Handler)
        self.file_url = f"{self.url}/data/{self.archive.name}"
