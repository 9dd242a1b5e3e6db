"""dlbook.tokenizer: SD v1-4's CLIP tokenizer, built offline, equals open_clip's."""

import pytest
import torch

from dlbook.tokenizer import bytes_to_unicode, clip_tokenizer, clip_vocabulary

PROMPTS = [
    "a photograph of an astronaut riding a horse",
    "Hello, World!  multiple   spaces",
    "café naïve résumé, 3.14 dollars & cents",
    "New-York's skyline at dusk; oil on canvas",
    "",
    "a " * 100,  # longer than 77 tokens: truncated
]


@pytest.fixture(scope="module")
def tokenizer():
    return clip_tokenizer()


def until_eos(ids: torch.Tensor) -> list[int]:
    ids = ids.tolist()
    return ids[: ids.index(49407) + 1]


@pytest.mark.parametrize("prompt", PROMPTS)
def test_tokenizer_matches_open_clip(tokenizer, prompt):
    import open_clip

    ours = tokenizer([prompt], padding="max_length", max_length=77, truncation=True)
    theirs = open_clip.get_tokenizer("ViT-L-14")([prompt])[0]
    # open_clip pads with 0, SD's tokenizer with <|endoftext|>: compare up to the first end token.
    assert until_eos(torch.tensor(ours.input_ids[0])) == until_eos(theirs)


def test_empty_and_prompt_pad_to_77_with_end_token(tokenizer):
    ids = tokenizer(
        ["", "a cat"],
        padding="max_length",
        max_length=77,
        truncation=True,
        return_tensors="pt",
    ).input_ids
    assert ids.shape == (2, 77) and ids.dtype == torch.int64
    assert ids[0].tolist() == [49406] + [49407] * 76
    assert ids[1, :3].tolist() == [49406, 320, 2368] and (ids[1, 3:] == 49407).all()


def test_bytes_to_unicode_is_a_bijection():
    table = bytes_to_unicode()
    assert sorted(table) == list(range(256)) and len(set(table.values())) == 256


def test_vocabulary_layout():
    vocab, merges = clip_vocabulary()
    assert len(vocab) == 49408 and len(merges) == 48894
    assert vocab["<|startoftext|>"] == 49406 and vocab["<|endoftext|>"] == 49407
