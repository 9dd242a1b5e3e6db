"""SD v1-4's tokenizer (CLIP ViT-L/14's byte-level BPE), built offline from
the vocabulary file that CLIP and open_clip ship
(``assets/bpe_simple_vocab_16e6.txt.gz``, MIT licence beside it).
"""

import gzip
from functools import cache
from importlib import resources


@cache
def clip_vocabulary() -> tuple[dict[str, int], tuple[str, ...]]:
    """CLIP's byte-level BPE (vocab, merges) from the file CLIP and open_clip
    ship.

    The layout follows CLIP's SimpleTokenizer: 256 byte symbols, the same
    with an end-of-word marker, one symbol per merge, then the two special
    tokens (ids 49406, 49407).
    """
    data = resources.files("dlbook").joinpath(
        "assets", "bpe_simple_vocab_16e6.txt.gz"
    )
    lines = gzip.decompress(data.read_bytes()).decode("utf-8").split("\n")
    merges = tuple(lines[1 : 49152 - 256 - 2 + 1])
    symbols = list(bytes_to_unicode().values())
    symbols += [symbol + "</w>" for symbol in symbols]
    symbols += ["".join(merge.split()) for merge in merges]
    symbols += ["<|startoftext|>", "<|endoftext|>"]
    return {symbol: index for index, symbol in enumerate(symbols)}, merges


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2/CLIP's reversible map from bytes to printable unicode
    characters."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return dict(zip(printable, map(chr, codes), strict=True))


def clip_tokenizer(max_length: int = 77):
    """SD v1-4's tokenizer (CLIP ViT-L/14's), built offline: pads with
    <|endoftext|> to 77 tokens (or `max_length`)."""
    from transformers import CLIPTokenizer

    vocab, merges = clip_vocabulary()
    pairs = [tuple(merge.split()) for merge in merges]
    return CLIPTokenizer(
        vocab=dict(vocab), merges=pairs, model_max_length=max_length
    )
