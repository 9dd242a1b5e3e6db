"""Chapter 4's figures: how data flows through Stable Diffusion's pipeline,
and the UNet's path down and back up, each drawn from SD v1-4's published
configs (``configs/sd-v1-4``), so the shapes and channels on the page are
the configuration's, not typed in.
"""

from dlbook import diagram
from dlbook.networks import read_config


def dataflow_shapes(config_set: str = "sd-v1-4") -> dict[str, tuple]:
    """The shape of each tensor that passes between the pipeline's parts, for
    one prompt with classifier-free guidance (a batch of two texts).

    Args:
        config_set (`str`, defaults to "sd-v1-4"):
            A folder of ``dlbook/configs``.

    Returns:
        `dict[str, tuple]`: "tokens", "text_vectors", "latent_input",
        "noise_pred", "latents", "image" and "clip_input", each a shape.
    """
    text = read_config(config_set, "text_encoder")
    unet = read_config(config_set, "unet")
    vae = read_config(config_set, "vae")
    checker = read_config(config_set, "safety_checker")["vision_config"]
    positions, width = text["max_position_embeddings"], text["hidden_size"]
    side = unet["sample_size"]
    latents = (unet["in_channels"], side, side)
    pixels = vae["sample_size"]
    return {
        "tokens": (2, positions),  # the empty text and the prompt
        "text_vectors": (2, positions, width),
        "latent_input": (2, *latents),
        "noise_pred": (2, unet["out_channels"], side, side),
        "latents": (1, *latents),
        "image": (1, vae["out_channels"], pixels, pixels),
        "clip_input": (1, 3, checker["image_size"], checker["image_size"]),
    }


def shape(dims: tuple) -> str:
    return "(" + ", ".join(str(d) for d in dims) + ")"


def draw_dataflow(config_set: str = "sd-v1-4"):
    """The pipeline as boxes and arrows, each arrow labelled with the tensor
    it carries and that tensor's shape (`dataflow_shapes`).

    Args:
        config_set (`str`, defaults to "sd-v1-4"):
            A folder of ``dlbook/configs``.

    Returns:
        `matplotlib.figure.Figure`.
    """
    s = {
        name: shape(dims)
        for name, dims in dataflow_shapes(config_set).items()
    }
    fig, ax = diagram.canvas(15.2, 6.8, inches_per_unit=0.62)
    top, bottom = 4.3, 1.5
    boxes = [  # (x, y, width, text, kind)
        (1.1, top, 1.8, "prompt\n'a photo of…'", "data"),
        (4.0, top, 1.9, "tokenizer\nCLIP's BPE", "code"),
        (7.2, top, 2.0, "text encoder\ntransformer", "network"),
        (10.5, top, 1.6, f"UNet\nnoise_pred\n{s['noise_pred']}", "network"),
        (13.8, top, 2.0, "scheduler\nPNDM", "code"),
        (10.5, 6.2, 2.6, f"noise N(0, I)\n{s['latents']}", "data"),
        (13.9, bottom, 2.0, "VAE decoder\nlatents → pixels", "network"),
        (9.6, bottom, 2.4, "feature extractor\nresize, crop", "code"),
        (5.4, bottom, 2.2, "safety checker\nCLIP vision", "network"),
        (
            1.45,
            bottom,
            2.5,
            "image, or black\n+ a flag per image",
            "data",
        ),
    ]
    for x, y, width, text, kind in boxes:
        height = 0.8 if y > top else 1.0
        diagram.box(ax, x, y, width, height, text, kind)
    arrows = [  # (start, end, label)
        ((2.0, top), (3.05, top), "2 texts"),
        ((4.95, top), (6.2, top), f"tokens\n{s['tokens']}"),
        ((8.2, top), (9.7, top), f"text_vectors\n{s['text_vectors']}"),
        ((10.5, 5.8), (10.5, top + 0.5), ""),
        ((11.3, top + 0.2), (12.8, top + 0.2), f"guided\n{s['latents']}"),
        ((12.8, top - 0.25), (11.3, top - 0.25), ""),
        (
            (13.9, top - 0.5),
            (13.9, bottom + 0.5),
            f"latents\n{s['latents']}",
        ),
        ((12.9, bottom), (10.8, bottom), f"image\n{s['image']}"),
        ((8.4, bottom), (6.5, bottom), f"clip_input\n{s['clip_input']}"),
        ((4.3, bottom), (2.7, bottom), "image"),
    ]
    for start, end, text in arrows:
        diagram.arrow(ax, start, end, text)
    diagram.label(ax, 12.05, top - 0.5, f"latents\n{s['latents']}", va="top")
    loop = "repeated for each\ntimestep t, then"
    diagram.label(ax, 12.05, 2.85, loop, style="italic")
    diagram.label(
        ax,
        7.6,
        0.3,
        "grey, solid: networks (trained weights)    white, dashed: code "
        "with a configuration    shapes: SD v1-4, one prompt, guided",
        fontsize=8,
    )
    return fig


def unet_levels(config: dict) -> list[dict]:
    """The UNet's resolution levels, top (full resolution) to bottom, read
    from its config, with the skip tensors each level's up block reads.

    The down path pushes every tensor it makes onto a stack (conv_in's
    output, each ResNet's, each downsampler's); each up block pops one per
    ResNet, so it reads tensors of its own resolution but not always of its
    own width.

    Args:
        config (`dict`):
            A UNet2DConditionModel config, e.g. `read_config("sd-v1-4",
            "unet")`.

    Returns:
        `list[dict]`, one per level: "down" and "up" (block class names),
        "channels", "side" (of the latent grid), "resnets_down",
        "resnets_up", and "skips" (the channels of each skip tensor).
    """
    side, per_block = config["sample_size"], config["layers_per_block"]
    widths = config["block_out_channels"]
    stack = [(widths[0], side)]  # conv_in's output
    for i, width in enumerate(widths):
        stack += [(width, side // 2**i)] * per_block
        if i < len(widths) - 1:  # the downsampler keeps its input's width
            stack.append((width, side // 2 ** (i + 1)))
    levels = []
    for i, (down, up) in reversed(
        list(
            enumerate(
                zip(
                    config["down_block_types"],
                    reversed(config["up_block_types"]),
                    strict=True,
                )
            )
        )
    ):
        popped = [stack.pop() for _ in range(per_block + 1)]
        assert {s for _, s in popped} == {side // 2**i}, popped
        levels.insert(
            0,
            {
                "down": down,
                "up": up,
                "channels": widths[i],
                "side": side // 2**i,
                "resnets_down": per_block,
                "resnets_up": per_block + 1,
                "skips": [width for width, _ in popped],
            },
        )
    return levels


def draw_unet(config_set: str = "sd-v1-4"):
    """The UNet's down path, middle block and up path, with channels,
    resolutions, skip connections and where cross-attention reads the text.

    Args:
        config_set (`str`, defaults to "sd-v1-4"):
            A folder of ``dlbook/configs``.

    Returns:
        `matplotlib.figure.Figure`.
    """
    config = read_config(config_set, "unet")
    levels = unet_levels(config)
    fig, ax = diagram.canvas(14.0, 9.4, inches_per_unit=0.62)
    left, right, middle = 2.6, 11.4, 7.0
    ys = [7.2 - 1.45 * i for i in range(len(levels))]
    c0, side0 = levels[0]["channels"], levels[0]["side"]
    inputs = f"{config['in_channels']} ch, {side0}×{side0}"
    diagram.box(ax, left, 8.7, 3.0, 0.8, f"conv_in\n{inputs} → {c0} ch")
    diagram.box(ax, right, 8.7, 3.0, 0.8, f"conv_out\n{c0} ch → {inputs}")
    diagram.arrow(ax, (left, 8.3), (left, ys[0] + 0.5))
    diagram.arrow(ax, (right, ys[0] + 0.5), (right, 8.3))
    for level, y in zip(levels, ys, strict=True):
        where = f"{level['channels']} ch, {level['side']}×{level['side']}"
        for x, kind, resnets in (
            (left, level["down"], level["resnets_down"]),
            (right, level["up"], level["resnets_up"]),
        ):
            parts = (
                f"{resnets} × (ResNet + transformer)"
                if "CrossAttn" in kind
                else f"{resnets} ResNets"
            )
            diagram.box(ax, x, y, 3.6, 1.0, f"{kind}\n{where}\n{parts}")
        diagram.arrow(
            ax,
            (left + 1.8, y),
            (right - 1.8, y),
            "skips: " + ", ".join(f"{c} ch" for c in level["skips"]),
            line="dashed",
        )
    bottom = levels[-1]
    mid_y = ys[-1] - 1.45
    mid = f"{bottom['channels']} ch, {bottom['side']}×{bottom['side']}"
    diagram.box(
        ax,
        middle,
        mid_y,
        4.2,
        1.0,
        f"mid block\n{mid}\nResNet, transformer, ResNet",
    )
    for upper, lower in zip(ys, ys[1:], strict=False):
        diagram.arrow(ax, (left, upper - 0.5), (left, lower + 0.5), "÷2")
        diagram.arrow(ax, (right, lower + 0.5), (right, upper - 0.5), "×2")
    diagram.arrow(ax, (left, ys[-1] - 0.5), (middle - 2.1, mid_y), bend=0.25)
    diagram.arrow(
        ax, (middle + 2.1, mid_y), (right, ys[-1] - 0.5), bend=0.25
    )
    width = config["cross_attention_dim"]
    tokens = read_config(config_set, "text_encoder")[
        "max_position_embeddings"
    ]
    diagram.label(
        ax,
        middle,
        0.3,
        "transformer: self-attention among the image positions, then "
        f"cross-attention from them to the {tokens} text vectors (width "
        f"{width}), then an MLP;\nevery ResNet also reads the timestep t; "
        "dashed: skip connections, read by the up block at the same "
        "resolution",
        fontsize=8,
    )
    return fig
