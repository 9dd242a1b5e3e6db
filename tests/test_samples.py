"""dlbook.samples: the offline photographs, the same bytes on every run."""

import hashlib

from dlbook import samples


def test_sample_folder_is_deterministic(tmp_path):
    first = samples.make_sample_folder(tmp_path / "first")
    again = samples.make_sample_folder(tmp_path / "again")

    def digests(root):
        return {
            p.relative_to(root): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*.*")
        }

    assert digests(first) == digests(again)
    assert len(digests(first)) == len(samples.SAMPLES) == 16


def test_readers_never_see_a_half_written_image(tmp_path):
    """Two notebooks (or test workers) may build the folder while a third reads it: every
    read gets a whole image, and a folder that is already right is not written again."""
    import io
    import os
    import threading

    from PIL import Image

    root = samples.make_sample_folder(tmp_path / "folder")
    paths = sorted(root.rglob("*.*"))
    written = {path: path.stat().st_mtime_ns for path in paths}
    samples.make_sample_folder(root)
    assert {path: path.stat().st_mtime_ns for path in paths} == written

    def tiny(path):  # a whole image of the same format, but not the sample
        encoded = io.BytesIO()
        Image.new("RGB", (2, 2)).save(encoded, format=Image.registered_extensions()[path.suffix])
        return encoded.getvalue()

    others, done = {path: tiny(path) for path in paths}, threading.Event()

    def rebuild():  # over files that are whole but wrong, so that each is rewritten
        while not done.is_set():
            for path in paths:
                swap = path.with_name(".swap")
                swap.write_bytes(others[path])
                os.replace(swap, path)
            samples.make_sample_folder(root)

    writer = threading.Thread(target=rebuild)
    writer.start()
    try:
        for _ in range(40):
            for path in paths:
                with Image.open(path) as image:
                    image.load()  # a truncated file raises here
    finally:
        done.set()
        writer.join()
