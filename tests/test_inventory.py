"""Chapter 4: counting modules, parameter tensors and scalars of SD v1-4's networks."""

import pytest
import torch

from dlbook import inventory

# modules / parameter tensors with transformers 5 (the CLIP networks lost a wrapper module each).
EXPECTED = {
    "vae": (243, 248),
    "text_encoder": (151, 196),
    "unet": (709, 686),
    "safety_checker": (298, 396),
}


@pytest.fixture(scope="module")
def full_size():
    return inventory.full_size_networks()


@pytest.mark.parametrize("name", inventory.NETWORKS)
def test_full_size_counts_match_the_published_checkpoint(full_size, name):
    counts = inventory.count(full_size[name])
    assert counts.scalars == inventory.PUBLISHED_SCALARS[name]
    assert (counts.modules, counts.parameter_tensors) == EXPECTED[name]


def test_meta_networks_hold_no_memory(full_size):
    assert all(p.is_meta for net in full_size.values() for p in net.parameters())


def test_count_on_a_known_module():
    net = torch.nn.Sequential(
        torch.nn.Linear(3, 4),
        torch.nn.ReLU(),
        torch.nn.Linear(4, 2, bias=False),
    )
    assert inventory.count(net) == inventory.Counts(
        modules=4, parameter_tensors=3, scalars=3 * 4 + 4 + 8
    )
    assert inventory.count(net).bytes(torch.float32) == 24 * 4
    assert inventory.count(net).bytes(torch.float16) == 24 * 2


def test_components_tell_modules_from_the_rest(small_pipe):
    parts = {name: is_module for name, _, is_module in inventory.components(small_pipe)}
    assert {name for name, is_module in parts.items() if is_module} == set(inventory.NETWORKS)
    assert not parts["tokenizer"] and not parts["scheduler"] and not parts["feature_extractor"]


@pytest.mark.parametrize("config_set", ["sd-v1-4", "sd-small"])
def test_text_encoder_counted_from_its_config(full_size, config_set):
    from dlbook.networks import build_networks, read_config

    config = read_config(config_set, "text_encoder")
    if config_set == "sd-v1-4":
        network = full_size["text_encoder"]
        assert inventory.text_encoder_scalars(config) == 123_060_480
    else:
        with torch.device("meta"):
            network = build_networks(config_set)["text_encoder"]
    assert inventory.text_encoder_scalars(config) == inventory.count(network).scalars


def test_homework_tensor_count_leaves_out_one_dimensional_tensors(full_size):
    """The homework counted `p.dim() != 1`: weight matrices, kernels and embeddings only."""
    for name, shown in (("text_encoder", 74), ("safety_checker", 149)):
        network = full_size[name]
        assert sum(1 for p in network.parameters() if p.dim() != 1) == shown
        vectors = sum(1 for p in network.parameters() if p.dim() == 1)
        assert shown + vectors == inventory.count(network).parameter_tensors


def test_safety_checker_counted_by_hand(full_size):
    """The solution of chapter 4's exercise: the checker's scalars from its config."""
    checker = full_size["safety_checker"]
    d, f, layers, patch, size = 1024, 4096, 24, 14, 224
    positions = (size // patch) ** 2 + 1
    layer = 4 * d + 4 * (d * d + d) + 2 * d * f + f + d
    tower = 3 * patch**2 * d + d + positions * d + 2 * (2 * d) + layers * layer
    head = d * 768 + (17 + 3) * 768 + 20
    assert tower == 303_179_776 == inventory.count(checker.vision_model).scalars
    assert tower + head == inventory.PUBLISHED_SCALARS["safety_checker"]
