"""The notice a page shows of which weights produced it: a sentence, and an
admonition."""

from dlbook.models import DEFAULT_MODEL_ID, TINY, LoadedModel


def describe(loaded: LoadedModel) -> str:
    """One sentence for the page: which weights produced what follows."""
    if loaded.random:
        return (
            "These results come from **random weights** "
            f"(`{loaded.mode}`, configs "
            f"`dlbook/configs/{loaded.source}`)"
            f"{': ' + loaded.note if loaded.note else ''}. The shapes and "
            "the algorithm are the real ones; what the networks output "
            "(images, scores) means nothing. Set "
            f"`DLBOOK_MODEL={DEFAULT_MODEL_ID}` (and `HF_TOKEN` if needed) "
            "for the real weights."
        )
    if loaded.mode == TINY:
        return (
            "These pictures come from **tiny-digits**, the book's own toy "
            "text-to-image model: Stable Diffusion's parts at about a 350th "
            "of the size, trained on 16 × 16 handwritten digits "
            "by the loops of `dlbook.tiny_training`."
        )
    how = loaded.note or "as set"
    return (
        f"These results come from the real weights of `{loaded.source}` "
        f"({how})."
    )


def banner(loaded: LoadedModel):
    """The page's notice of which weights it ran on, as an admonition (HTML
    works everywhere).

    Args:
        loaded (`LoadedModel`):
            What `load_model` returned.

    Returns:
        `IPython.display.HTML`: a note for real weights or tiny-digits, a
        warning for random weights.
    """
    import re
    from html import escape

    from IPython.display import HTML

    kind, title = ("note", "Real weights")
    if loaded.random:
        kind, title = ("warning", "Random weights")
    elif loaded.mode == TINY:
        title = "tiny-digits"
    text = escape(describe(loaded))
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"`(.+?)`", r"<code>\1</code>", text)
    return HTML(
        f'<div class="admonition {kind}">'
        f'<p class="admonition-title">{title}</p><p>{text}</p></div>'
    )
