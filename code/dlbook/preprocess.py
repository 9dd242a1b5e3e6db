"""CLIP's preprocessing as a torchvision transform, equal to transformers'
`CLIPImageProcessor` to float32 rounding."""


class CenterCropDown:
    """Center crop whose offsets round down, as transformers' image
    processors do: `int(m / 2.0)` for a margin of m pixels.

    torchvision's CenterCrop computes `int(round(m / 2.0))`, and Python's
    round takes halves to the even neighbour: 0.5 → 0, 1.5 → 2, 2.5 → 2,
    3.5 → 4. So the two offsets differ by one pixel exactly when
    m ≡ 3 (mod 4), and agree for every other margin.

    Args:
        size (`int`):
            The side of the square crop, e.g. 224.
    """

    def __init__(self, size: int):
        self.size = size

    def __call__(self, image):
        from torchvision.transforms.v2 import functional

        height, width = image.shape[-2:]
        top, left = (height - self.size) // 2, (width - self.size) // 2
        return functional.crop(image, top, left, self.size, self.size)


def clip_transform(processor):
    """CLIP's preprocessing as a torchvision transform, step for step as
    `processor` does it: resize the short side to 224 (bicubic), center-crop
    224×224, scale to [0, 1] and normalize with the processor's own mean and
    std.

    Args:
        processor (`CLIPImageProcessor`):
            E.g. `pipe.feature_extractor`; its sizes, mean and std are used.

    Returns:
        `v2.Compose`: RGB `PIL.Image` → float32 tensor `(3, 224, 224)`.
    """
    import torch
    from torchvision.transforms import v2

    mean, std = processor.image_mean, processor.image_std
    bicubic = v2.InterpolationMode.BICUBIC
    return v2.Compose(
        [
            v2.PILToTensor(),  # (3, H, W) uint8
            v2.Resize(
                processor.size["shortest_edge"], bicubic, antialias=True
            ),
            CenterCropDown(processor.crop_size["height"]),  # (3, 224, 224)
            v2.ToDtype(torch.float32, scale=True),  # / 255
            v2.Normalize(mean=mean, std=std),
        ]
    )
