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
