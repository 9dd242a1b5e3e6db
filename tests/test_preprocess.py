"""CLIP's preprocessing as a torchvision transform: equal to transformers' processor, and
the one detail that makes it so (where the two libraries' center crops differ)."""

import pytest
import torch
from torch.utils.data import DataLoader

from dlbook import imagefiles, preprocess
from dlbook.samples import make_sample_folder


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    return make_sample_folder(tmp_path_factory.mktemp("samples"))


@pytest.fixture(scope="module")
def processor():
    from transformers import CLIPImageProcessor

    return CLIPImageProcessor()


def test_the_course_transform_cannot_batch_but_ours_can(samples, processor):
    from torchvision import transforms
    from torchvision.datasets import ImageFolder

    unresized = transforms.ToTensor()
    course = ImageFolder(str(samples), transform=unresized, loader=imagefiles.open_rgb)
    with pytest.raises(RuntimeError, match="equal size"):
        next(iter(DataLoader(course, batch_size=10)))
    dataset, skipped = imagefiles.image_folder(samples, preprocess.clip_transform(processor))
    batch, labels = next(iter(DataLoader(dataset, batch_size=10)))
    assert batch.shape == (10, 3, 224, 224) and labels.shape == (10,) and skipped == []


def test_clip_transform_equals_the_processor(samples, processor):
    transform = preprocess.clip_transform(processor)
    for path in sorted(samples.rglob("*.*")):
        picture = imagefiles.open_rgb(path)
        expected = processor(images=picture, return_tensors="pt").pixel_values[0]
        torch.testing.assert_close(transform(picture), expected, rtol=0, atol=1e-5)


def left_offset(crop, margin: int, size: int = 8) -> int:
    """Where `crop` starts cutting a size × size square from an image `margin` pixels wider:
    each pixel holds its own column number, so the first column kept is the offset."""
    columns = torch.arange(size + margin, dtype=torch.uint8).expand(3, size, -1)
    return int(crop(columns.contiguous())[0, 0, 0])


@pytest.mark.parametrize("margin", range(13))
def test_center_crops_differ_exactly_when_the_margin_is_3_mod_4(processor, margin):
    """torchvision's CenterCrop: int(round(m / 2)), halves to even; transformers': int(m / 2).
    So margins 1 and 5 agree and 3, 7 and 11 differ; ours follows transformers."""
    from torchvision.transforms import v2
    from transformers.image_processing_utils import SizeDict

    size = 8
    torchvision_offset = left_offset(v2.CenterCrop(size), margin, size)
    square = SizeDict(height=size, width=size)
    transformers_offset = left_offset(lambda x: processor.center_crop(x, square), margin, size)
    ours = left_offset(preprocess.CenterCropDown(size), margin, size)
    differ = torchvision_offset != transformers_offset
    assert differ == (margin % 4 == 3), (margin, torchvision_offset, transformers_offset)
    assert ours == transformers_offset == margin // 2
