"""Each answer found in a submission by what the release says it is, never by its metadata.

Colab and VS Code drop cell metadata; students add, delete, move, split and re-type cells
(nbgrader #424, #1083, #1941). So a submission is read as a list of (type, source) and lined up
with the release by content: cells whose text is the release's are anchors. An exercise's
region is what lies between the anchors around its answer cell, less copies of release cells.

- A code answer is the region's code, if it defines the function the release's stub defines
  (`def NAME(`; a region cell turned into markdown counts when it parses as Python); else the
  last cell anywhere that defines it (a moved answer), joined with the cells after it while
  that makes it parse (a split answer); else, if the stub is there untouched, "not answered";
  else "answer cell not found".
- A prose answer is the region's text; the placeholder alone is "not answered".
"""

import ast
import difflib
import re
from dataclasses import dataclass

from tools.grading.depends import python
from tools.grading.release import ANSWER

FENCE = re.compile(r"^\s*```[\w+-]*[ \t]*\n(.*?)\n\s*```\s*$", re.S)


def normal(source: str) -> str:
    """Text as compared: line ends, trailing spaces and blank edges do not matter."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


@dataclass
class Found:
    status: str  # "found", "not answered" or "answer cell not found"
    cells: list[str]  # the answer's code cells (code) or text (prose), in order


def as_code(kind: str, source: str) -> str:
    """A markdown cell's Python (a code answer re-typed as markdown), fences removed."""
    if kind == "markdown" and (fenced := FENCE.match(source)):
        return fenced.group(1)
    return source


def defines(source: str, name: str) -> bool:
    tree = python(source)
    return tree is not None and any(
        isinstance(node, ast.FunctionDef) and node.name == name for node in tree.body
    )


def joined(parts: list[str]) -> list[str]:
    """Cells as the kernel should run them: one that does not parse alone is joined with the
    next while the join parses (a function split in two)."""
    out, index = [], 0
    while index < len(parts):
        cell, end = parts[index], index + 1
        if python(cell) is None:
            for stop in range(index + 2, min(len(parts), index + 4) + 1):
                if python("\n".join(parts[index:stop])) is not None:
                    cell, end = "\n".join(parts[index:stop]), stop
                    break
        out.append(cell)
        index = end
    return out


class Submission:
    """A submission's cells lined up with its release's (both lists of (type, source))."""

    def __init__(self, release: list[tuple[str, str]], cells: list[tuple[str, str]], tests=()):
        self.release, self.cells = release, cells
        keys = [normal(source) for _, source in release]
        mine = [normal(source) for _, source in cells]
        matcher = difflib.SequenceMatcher(None, keys, mine, autojunk=False)
        self.anchor = {}  # release index -> submission index
        for block in matcher.get_matching_blocks():
            for k in range(block.size):
                if keys[block.a + k]:  # an empty cell anchors nothing
                    self.anchor[block.a + k] = block.b + k
        known = set(keys) | {normal(t) for t in tests}  # copies of test cells never run
        self.own = [i for i, text in enumerate(mine) if text and text not in known]

    def region(self, index: int) -> list[int]:
        """The student's own cells around the release's cell `index`, in order."""
        before = [s for r, s in self.anchor.items() if r < index]
        after = [s for r, s in self.anchor.items() if r > index]
        low, high = max(before, default=-1), min(after, default=len(self.cells))
        return [i for i in self.own if low < i < high]

    def code_answer(self, index: int, name: str) -> Found:
        """The answer to the code exercise whose stub is the release's cell `index`."""
        pattern = re.compile(rf"^\s*def\s+{re.escape(name)}\s*\(", re.M)

        def answers(i: int) -> bool:  # code that defines it, or markdown that is that code
            kind, source = self.cells[i]
            code = as_code(kind, source)
            return bool(pattern.search(code)) and (kind == "code" or defines(code, name))

        region = self.region(index)
        if any(answers(i) for i in region):
            code = [
                as_code(*self.cells[i]) for i in region if self.cells[i][0] == "code" or answers(i)
            ]
            return Found("found", joined(code))
        for i in reversed(self.own):  # moved elsewhere: the last definition wins
            if answers(i):
                after = [as_code(*self.cells[j]) for j in self.own if i < j <= i + 3]
                return Found("found", joined([as_code(*self.cells[i]), *after])[:1])
        if index in self.anchor:
            return Found("not answered", [])
        return Found("answer cell not found", [])

    def prose_answer(self, index: int) -> Found:
        """The text answering the prose exercise whose placeholder is the release's `index`."""
        texts = [self.cells[i][1].strip() for i in self.region(index)]
        texts = [t for t in texts if normal(t) != normal(ANSWER)]
        if texts:
            return Found("found", texts)
        return Found("not answered" if index in self.anchor else "answer cell not found", [])
