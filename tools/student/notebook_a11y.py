"""Accessibility of a notebook's Markdown: every image has alt text, and the headings go in
order (a screen reader lists them as the page's outline; a skipped level breaks it).

`make publish` stops on a published notebook that fails (tools/student/publish.py); the tests run
the same check (tests/test_publish.py), and on planted bad input.
"""

import re

from markdown_it import MarkdownIt

_parser = MarkdownIt("commonmark")
HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.I)
HTML_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def images_without_alt(source: str) -> list[str]:
    """Each image in `source` (Markdown or inline HTML) whose alt text is missing or blank."""
    missing = []
    for token in _parser.parse(source):
        for child in [token, *(token.children or [])]:
            if child.type == "image" and not child.content.strip():
                missing.append(f"![]({child.attrGet('src')})")
            if child.type in ("html_block", "html_inline"):
                for tag in HTML_IMAGE.findall(child.content):
                    alt = HTML_ALT.search(tag)
                    if alt is None or not "".join(a or "" for a in alt.groups()).strip():
                        missing.append(tag[:80])
    return missing


def headings(source: str) -> list[tuple[int, str]]:
    """The headings in `source`: (level, text)."""
    tokens = _parser.parse(source)
    return [
        (int(token.tag[1]), tokens[i + 1].content)
        for i, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


def problems(notebook, name: str) -> list[str]:
    """What a screen-reader user would miss in `notebook` (`name` says which), one line each:
    the notebook, the cell, and the image or heading."""
    found, previous = [], 0
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown":
            continue
        for image in images_without_alt(cell.source):
            found.append(f"{name}, cell {index}: image without alt text: {image}")
        for level, text in headings(cell.source):
            if level > previous + 1:
                found.append(
                    f"{name}, cell {index}: heading {'#' * level} {text!r} skips a level "
                    f"(after {'h' + str(previous) if previous else 'the start'})"
                )
            previous = level
    return found
