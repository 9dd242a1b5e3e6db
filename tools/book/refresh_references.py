"""Refresh nbval's references: the outputs stored in the paired notebooks book/*.ipynb.

Each chapter's MyST source (book/NN-topic.md) is the truth. For each one this script rewrites the
paired notebook's inputs from it (jupytext), executes the notebook under the offline settings
(offline.env) that `make golden` pins, and prints how the text outputs changed, so that a
refresh is read before it is committed.
"""

import configparser
import difflib
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools import settings

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"


def sanitizers() -> list[tuple[re.Pattern, str]]:
    """nbval's own replacements, so the printed diff shows what nbval will compare."""
    config = configparser.ConfigParser(interpolation=None)  # regexes contain %
    config.read(SANITIZE, encoding="utf-8")
    return [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]


def text_outputs(notebook) -> list[str]:
    replacements = sanitizers()
    lines = []
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            # nbval compares HTML too (the model banner is HTML): show it in the diff.
            text = output.get("text") or data.get("text/html") or data.get("text/plain", "")
            text = "".join(text)
            for pattern, replacement in replacements:
                text = pattern.sub(replacement, text)
            lines += [f"[cell {index}] {line}" for line in text.splitlines() if line.strip()]
    return lines


def refresh(source: Path) -> None:
    paired = source.with_suffix(".ipynb")
    before = text_outputs(nbformat.read(paired, as_version=4)) if paired.exists() else []
    jupytext = Path(sys.executable).parent / "jupytext"
    # --update keeps the notebook's existing outputs and metadata, taking the inputs from the .md.
    subprocess.run(
        [str(jupytext), "--quiet", "--to", "ipynb", "--update", str(source)],
        check=True,
    )
    notebook = nbformat.read(paired, as_version=4)
    NotebookClient(
        notebook,
        # as the book build: DLBOOK_CELL_TIMEOUT where a busy machine needs longer
        timeout=int(os.environ.get("DLBOOK_CELL_TIMEOUT") or 600),
        kernel_name="python3",
        record_timing=False,  # timestamps would make every refresh a diff
        resources={"metadata": {"path": str(BOOK)}},
    ).execute()
    # Widget state is a snapshot of one kernel's widgets (100 KB for chapter 3's explorer): no
    # reader's kernel can use it, and nbval does not compare it.
    notebook.metadata.pop("widgets", None)
    nbformat.write(notebook, paired)
    diff = list(
        difflib.unified_diff(before, text_outputs(notebook), "before", "after", lineterm="", n=1)
    )
    status = "outputs changed" if diff else "outputs unchanged"
    print(f"{paired.relative_to(ROOT)}: {status}")
    for line in diff:
        print("   ", line)


def main() -> None:
    if any(os.environ.get(name) != value for name, value in settings.offline().items()):
        sys.exit("refresh_references: references are offline.env's outputs; run `make golden`")
    os.environ.setdefault("TQDM_MININTERVAL", "3600")  # as in the book build: first and last state
    sources = [Path(arg).resolve() for arg in sys.argv[1:]] or sorted(BOOK.glob("[0-9]*.md"))
    for source in sources:
        refresh(source)


if __name__ == "__main__":
    main()
