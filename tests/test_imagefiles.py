"""Chapter 6's folder reading: every file an RGB image, skipped with its reason, or an error
naming it; every bad-input case of a real folder."""

import io

import numpy as np
import pytest
from PIL import Image

from dlbook import imagefiles
from dlbook.downloads import DataError


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


@pytest.mark.parametrize("mode", ["L", "CMYK", "P", "RGB"])
def test_modes_become_rgb(tmp_path, mode):
    suffix = "jpg" if mode in ("L", "CMYK", "RGB") else "png"
    root = folder_with(tmp_path, **{f"a_{suffix}": photo(mode)})
    dataset, skipped = imagefiles.image_folder(root)
    picture, _ = dataset[0]
    assert picture.mode == "RGB" and picture.size == (64, 48) and skipped == []


def test_transparent_pixels_become_white(tmp_path):
    rgba = Image.new("RGBA", (8, 8), (255, 0, 0, 0))  # red, but fully transparent
    rgba.putpixel((0, 0), (0, 0, 255, 255))
    dataset, _ = imagefiles.image_folder(folder_with(tmp_path, a_png=rgba))
    picture, _ = dataset[0]
    assert picture.getpixel((1, 1)) == (255, 255, 255) and picture.getpixel((0, 0)) == (0, 0, 255)


def test_sixteen_bit_images_are_scaled_not_clipped(tmp_path):
    values = np.array([[0, 32768, 65535]], dtype=np.uint16)
    dataset, _ = imagefiles.image_folder(folder_with(tmp_path, a_png=Image.fromarray(values)))
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
    dataset, skipped = imagefiles.image_folder(root)
    assert len(dataset) == 1
    assert len(skipped) == 1 and skipped[0][0].name == name.replace("_", ".", 1)
    assert reason in skipped[0][1]


def test_huge_images_are_skipped_and_listed(tmp_path):
    root = folder_with(tmp_path, small_jpg=photo(size=(10, 10)), big_jpg=photo(size=(100, 100)))
    dataset, skipped = imagefiles.image_folder(root, max_pixels=1000)
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
    dataset, skipped = imagefiles.image_folder(root)
    assert len(dataset) == 1 and skipped == []  # the header checks cannot tell
    with pytest.raises(DataError, match="broken.png: cannot be decoded"):
        dataset[0]


def test_decode_errors_name_the_file(tmp_path):
    path = tmp_path / "x.png"
    path.write_bytes(png_bytes()[:-40])
    with pytest.raises(DataError, match="x.png"):
        imagefiles.open_rgb(path)


def test_an_empty_class_folder_is_named_and_the_rest_loads(tmp_path):
    """images/empty_class/ beside images/mixed/: the images *are* in class folders."""
    folder = folder_with(tmp_path, a_png=photo(), b_jpg=photo())
    (folder / "things").rename(folder / "mixed")
    (folder / "empty_class").mkdir()
    dataset, skipped = imagefiles.image_folder(folder)
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
    with pytest.raises(DataError, match="no usable images"):
        imagefiles.image_folder(tmp_path)


def test_empty_folder_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="empty"):
        imagefiles.image_folder(tmp_path / "empty")


def test_only_bad_files_is_a_clear_error_listing_them(tmp_path):
    root = folder_with(tmp_path, notes_jpg=b"no")
    with pytest.raises(DataError, match="(?s)no usable images.*notes.jpg"):
        imagefiles.image_folder(root)


def test_images_outside_class_folders(tmp_path):
    photo().save(tmp_path / "loose.jpg")
    with pytest.raises(DataError, match="sub-folder"):
        imagefiles.image_folder(tmp_path)
    root = folder_with(tmp_path, good_jpg=photo())
    dataset, skipped = imagefiles.image_folder(root)
    assert len(dataset) == 1 and skipped[0][1] == "not inside a class sub-folder"


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match="no such folder"):
        imagefiles.image_folder(tmp_path / "nowhere")
