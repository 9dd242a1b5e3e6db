"""Chapter 4's figures say what the model is: the dataflow's shapes are those a run of the
pipeline records, and the UNet's levels, channels, resolutions and skips are those of the
network built from the same config (on the meta device: shapes without memory)."""

import matplotlib
import pytest
import torch

from dlbook import diagram, diffusion, pipeline_diagrams
from dlbook.networks import build_networks, read_config

matplotlib.use("Agg")


def test_dataflow_shapes_are_those_a_run_records(small_pipe):
    """random-small keeps SD v1-4's inputs and outputs: its run records the real shapes."""
    from transformers import CLIPImageProcessor

    run = diffusion.generate(small_pipe, "a red cube", steps=2, progress=False)
    recorded = {name: shape for name, shape, _ in run.shapes}
    expected = pipeline_diagrams.dataflow_shapes("sd-v1-4")
    for name in ("tokens", "text_vectors", "latent_input", "noise_pred", "latents", "image"):
        assert recorded[name] == expected[name], name
    crop = CLIPImageProcessor().crop_size
    assert expected["clip_input"] == (1, 3, crop["height"], crop["width"])


def test_the_dataflow_figure_labels_every_arrow_with_its_shape():
    fig = pipeline_diagrams.draw_dataflow()
    said = "\n".join(diagram.texts(fig))
    for dims in pipeline_diagrams.dataflow_shapes().values():
        assert pipeline_diagrams.shape(dims) in said, dims
    for part in (
        "tokenizer",
        "text encoder",
        "UNet",
        "scheduler",
        "VAE decoder",
        "feature extractor",
        "safety checker",
    ):
        assert part in said


@pytest.fixture(scope="module")
def unet_at_work():
    """SD v1-4's UNet on the meta device, run once: each block's last ResNet's output shape."""
    with torch.device("meta"):
        unet = build_networks("sd-v1-4")["unet"]
    seen = {}
    for path in ("down_blocks", "up_blocks"):
        for i, block in enumerate(getattr(unet, path)):
            block.resnets[-1].register_forward_hook(
                lambda module, args, out, key=(path, i): seen.__setitem__(key, out.shape)
            )
    with torch.no_grad():
        latents = torch.empty(2, 4, 64, 64, device="meta")
        unet(latents, 10, torch.empty(2, 77, 768, device="meta"))
    return unet, seen


def test_unet_levels_are_the_built_networks(unet_at_work):
    unet, seen = unet_at_work
    levels = pipeline_diagrams.unet_levels(read_config("sd-v1-4", "unet"))
    assert len(levels) == len(unet.down_blocks) == len(unet.up_blocks)
    for i, level in enumerate(levels):
        down, up = unet.down_blocks[i], unet.up_blocks[len(levels) - 1 - i]
        side, channels = level["side"], level["channels"]
        assert seen["down_blocks", i][1:] == (channels, side, side)
        assert seen["up_blocks", len(levels) - 1 - i][1:] == (channels, side, side)
        assert hasattr(down, "attentions") == ("CrossAttn" in level["down"])
        assert hasattr(up, "attentions") == ("CrossAttn" in level["up"])
        assert len(down.resnets) == level["resnets_down"]
        assert len(up.resnets) == level["resnets_up"]
        # each up ResNet reads the output before it and one skip, concatenated
        j = len(levels) - 1 - i
        before = unet.up_blocks[j - 1] if j else unet.mid_block
        previous = [before.resnets[-1].out_channels]
        previous += [resnet.out_channels for resnet in up.resnets[:-1]]
        widths = [r.conv1.in_channels - p for r, p in zip(up.resnets, previous, strict=True)]
        assert widths == level["skips"], i


def test_the_unet_figure_says_each_levels_channels_resolution_and_skips():
    said = "\n".join(diagram.texts(pipeline_diagrams.draw_unet()))
    for level in pipeline_diagrams.unet_levels(read_config("sd-v1-4", "unet")):
        assert f"{level['channels']} ch, {level['side']}×{level['side']}" in said
        assert "skips: " + ", ".join(f"{c} ch" for c in level["skips"]) in said
    # SD v1-4: transformers at three levels down, three up, and in the middle
    assert said.count("(ResNet + transformer)") == 6 and "ResNet, transformer, ResNet" in said
