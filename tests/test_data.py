"""Chapter 6's data: the offline folder, CLIP preprocessing, every bad-input case, and the real
download path against a local server (download, verify, extract, reuse, bad checksum, traversal).
"""

import io

import numpy as np
import pytest
import torch
from PIL import Image
from torch.utils.data import DataLoader

from dlbook import data
from dlbook.samples import make_sample_folder


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    return make_sample_folder(tmp_path_factory.mktemp("samples"))


@pytest.fixture(scope="module")
def processor():
    from transformers import CLIPImageProcessor

    return CLIPImageProcessor()


def folder_with(tmp_path, **files):
    """A one-class ImageFolder whose files are given as name=PIL image or name=bytes."""
    (tmp_path / "things").mkdir()
    for name, content in files.items():
        path = tmp_path / "things" / name.replace("_", ".", 1)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            content.save(path)
    return tmp_path


def photo(mode="RGB", size=(64, 48)):
    rgb = Image.fromarray(
        np.random.default_rng(0).integers(0, 255, (*size[::-1], 3), dtype=np.uint8)
    )
    return rgb.convert(mode)


def test_homework_transform_cannot_batch_but_ours_can(samples, processor):
    from torchvision import transforms
    from torchvision.datasets import ImageFolder

    homework = ImageFolder(str(samples), transform=transforms.ToTensor(), loader=data.open_rgb)
    with pytest.raises(RuntimeError, match="equal size"):
        next(iter(DataLoader(homework, batch_size=10)))
    dataset, skipped = data.image_folder(samples, data.clip_transform(processor))
    batch, labels = next(iter(DataLoader(dataset, batch_size=10)))
    assert batch.shape == (10, 3, 224, 224) and labels.shape == (10,) and skipped == []


def test_clip_transform_equals_the_processor(samples, processor):
    transform = data.clip_transform(processor)
    for path in sorted(samples.rglob("*.*")):
        picture = data.open_rgb(path)
        expected = processor(images=picture, return_tensors="pt").pixel_values[0]
        torch.testing.assert_close(transform(picture), expected, rtol=0, atol=1e-5)


@pytest.mark.parametrize("mode", ["L", "CMYK", "P", "RGB"])
def test_modes_become_rgb(tmp_path, mode):
    suffix = "jpg" if mode in ("L", "CMYK", "RGB") else "png"
    root = folder_with(tmp_path, **{f"a_{suffix}": photo(mode)})
    dataset, skipped = data.image_folder(root)
    picture, _ = dataset[0]
    assert picture.mode == "RGB" and picture.size == (64, 48) and skipped == []


def test_transparent_pixels_become_white(tmp_path):
    rgba = Image.new("RGBA", (8, 8), (255, 0, 0, 0))  # red, but fully transparent
    rgba.putpixel((0, 0), (0, 0, 255, 255))
    dataset, _ = data.image_folder(folder_with(tmp_path, a_png=rgba))
    picture, _ = dataset[0]
    assert picture.getpixel((1, 1)) == (255, 255, 255) and picture.getpixel((0, 0)) == (0, 0, 255)


def test_sixteen_bit_images_are_scaled_not_clipped(tmp_path):
    values = np.array([[0, 32768, 65535]], dtype=np.uint16)
    dataset, _ = data.image_folder(folder_with(tmp_path, a_png=Image.fromarray(values)))
    picture, _ = dataset[0]
    assert [picture.getpixel((x, 0))[0] for x in range(3)] == [0, 128, 255]


def jpeg_bytes(picture=None):
    buffer = io.BytesIO()
    (picture or photo()).save(buffer, format="JPEG")
    return buffer.getvalue()


def png_bytes(picture=None):
    buffer = io.BytesIO()
    (picture or photo()).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("cut_jpg", jpeg_bytes()[:-200], "truncated JPEG"),
        ("cut_png", png_bytes()[:-40], "damaged"),
        ("notes_jpg", b"these are not pixels", "not an image PIL can read"),
        ("readme_txt", b"hello", "not an image file name"),
    ],
)
def test_bad_files_are_skipped_and_listed(tmp_path, name, content, reason):
    root = folder_with(tmp_path, good_jpg=photo(), **{name: content})
    dataset, skipped = data.image_folder(root)
    assert len(dataset) == 1
    assert len(skipped) == 1 and skipped[0][0].name == name.replace("_", ".", 1)
    assert reason in skipped[0][1]


def test_huge_images_are_skipped_and_listed(tmp_path):
    root = folder_with(tmp_path, small_jpg=photo(size=(10, 10)), big_jpg=photo(size=(100, 100)))
    dataset, skipped = data.image_folder(root, max_pixels=1000)
    assert len(dataset) == 1 and "too large (100×100 pixels" in skipped[0][1]


def png_with_bad_pixel_data() -> bytes:
    """A PNG whose compressed pixels are garbage but whose checksums are right: only decoding
    can tell it is damaged."""
    import struct
    import zlib

    png = bytearray(png_bytes())
    start = png.index(b"IDAT") + 4
    (length,) = struct.unpack(">I", png[start - 8 : start - 4])
    png[start + 2 : start + length] = bytes(length - 2)  # keep the zlib header, wipe the rest
    crc = zlib.crc32(bytes(png[start - 4 : start + length]))
    png[start + length : start + length + 4] = struct.pack(">I", crc)
    return bytes(png)


def test_damage_only_decoding_finds_stops_with_the_file_name(tmp_path):
    root = folder_with(tmp_path, broken_png=png_with_bad_pixel_data())
    dataset, skipped = data.image_folder(root)
    assert len(dataset) == 1 and skipped == []  # the header checks cannot tell
    with pytest.raises(data.DataError, match="broken.png: cannot be decoded"):
        dataset[0]


def test_decode_errors_name_the_file(tmp_path):
    path = tmp_path / "x.png"
    path.write_bytes(png_bytes()[:-40])
    with pytest.raises(data.DataError, match="x.png"):
        data.open_rgb(path)


def test_an_empty_class_folder_is_named_and_the_rest_loads(tmp_path):
    """images/empty_class/ beside images/mixed/: the images *are* in class folders."""
    folder = folder_with(tmp_path, a_png=photo(), b_jpg=photo())
    (folder / "things").rename(folder / "mixed")
    (folder / "empty_class").mkdir()
    dataset, skipped = data.image_folder(folder)
    assert len(dataset) == 2 and dataset.classes == ["empty_class", "mixed"]
    assert set(dataset.targets) == {1}  # labels keep the class index of every folder
    assert skipped == [
        (
            folder.resolve() / "empty_class",
            "an empty class folder (no usable images)",
        )
    ]


def test_only_empty_class_folders_is_a_clear_error(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "notes.txt").write_text("not an image")
    with pytest.raises(data.DataError, match="no usable images"):
        data.image_folder(tmp_path)


def test_empty_folder_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(data.DataError, match="empty"):
        data.image_folder(tmp_path / "empty")


def test_only_bad_files_is_a_clear_error_listing_them(tmp_path):
    root = folder_with(tmp_path, notes_jpg=b"no")
    with pytest.raises(data.DataError, match="(?s)no usable images.*notes.jpg"):
        data.image_folder(root)


def test_images_outside_class_folders(tmp_path):
    photo().save(tmp_path / "loose.jpg")
    with pytest.raises(data.DataError, match="sub-folder"):
        data.image_folder(tmp_path)
    root = folder_with(tmp_path, good_jpg=photo())
    dataset, skipped = data.image_folder(root)
    assert len(dataset) == 1 and skipped[0][1] == "not inside a class sub-folder"


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(data.DataError, match="no such folder"):
        data.image_folder(tmp_path / "nowhere")


@pytest.mark.environment
def test_image_set_falls_back_offline(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_DATA", str(tmp_path))

    def unavailable(*args, **kwargs):
        raise data.DataError("simulated: no network")

    monkeypatch.setattr(data, "fetch_archive", unavailable)
    chosen = data.image_set("auto")
    assert chosen.name == "offline samples" and "simulated" in chosen.note
    assert len(list(chosen.root.rglob("*.*"))) == 16
    with pytest.raises(data.DataError, match="simulated"):
        data.image_set("coco_humans")
    with pytest.raises(data.DataError, match="DLBOOK_IMAGES"):
        data.image_set("everything")
