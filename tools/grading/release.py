"""What the release (the published student notebook) carries for grading.

A student notebook (tools/student/student_edition.py) gets, before its MyST is resolved:

- an answer cell, "*Your answer here.*", after each exercise graded by hand: after the
  exercise's text when it asks only for words, after its self-check when it also asks for code
  (`{tests: N, prose: M}` in the course block);
- `metadata.dlbook = {"exercise": label, "role": ...}` on the cells the grader runs or reads:
  `answer` (the code stub), `check` (the self-check), `prose` (the answer cell).

Grading reads this metadata from the release only, never from a submission (editors drop it).
tools/student/publish.py and the student site's download menu (tools/sphinx/download.py) call
`answer_cells`, so both give the same notebook.
"""

import re
from pathlib import Path

import nbformat

from tools import settings

ANSWER = "*Your answer here.*"
SPAN = re.compile(r"^:::\{exercise\}.*?^:::[ \t]*$", re.M | re.S)
LABEL = re.compile(r"^:label:[ \t]*(\S+)", re.M)


def mixed_labels(root: Path) -> set[str]:
    """The code exercises that also ask for words: the course block's {tests, prose} points."""
    try:
        assignments = settings.grading(root).assignments
    except settings.SettingsError:
        return set()  # a course without grading: answer cells for prose exercises only
    return {
        label
        for points in assignments.values()
        for label, given in points.items()
        if isinstance(given, dict) and given.get("prose")
    }


def role(cell) -> dict:
    """The release's grading metadata of `cell`: {} on cells the grader does not single out."""
    return cell.metadata.get("dlbook", {})


def exercise_labels(cell) -> list[str]:
    """The labels of the exercises `cell` (markdown, MyST) states, in order."""
    return [m.group(1) for span in SPAN.finditer(cell.source) if (m := LABEL.search(span[0]))]


def answer_cell(label: str):
    cell = nbformat.v4.new_markdown_cell(ANSWER)
    cell.metadata["dlbook"] = {"exercise": label, "role": "prose"}
    return cell


def split_after_exercises(cell, stubbed: set[str]):
    """`cell` (markdown) cut after each exercise that has no code answer; yields (text, label
    or None): the label where an answer cell follows."""
    start = 0
    for match in SPAN.finditer(cell.source):
        label = LABEL.search(match.group(0))
        if label and label.group(1) not in stubbed:
            yield cell.source[start : match.end()].strip("\n"), label.group(1)
            start = match.end()
    rest = cell.source[start:].strip("\n")
    if rest.strip():
        yield rest, None


def answer_cells(notebook, mixed: set[str]):
    """`notebook`, a student notebook, with answer cells and grading metadata (module doc)."""
    stubbed, current = set(), None
    for cell in notebook.cells:  # which exercises a code answer follows
        if cell.cell_type == "markdown":
            current = (exercise_labels(cell) or [current])[-1]
        elif "exercise" in cell.metadata.get("tags", []) and current:
            stubbed.add(current)
    cells, current = [], None
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and exercise_labels(cell):
            for text, label in split_after_exercises(cell, stubbed):
                cells.append(nbformat.v4.new_markdown_cell(text, metadata=dict(cell.metadata)))
                if label:
                    cells.append(answer_cell(label))
            current = exercise_labels(cell)[-1]
            continue
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and current and ("exercise" in tags or "self-check" in tags):
            cell.metadata["dlbook"] = {
                "exercise": current,
                "role": "answer" if "exercise" in tags else "check",
            }
        cells.append(cell)
    for label in sorted(mixed & stubbed):  # after the exercise's last code cell
        last = max(i for i, c in enumerate(cells) if role(c).get("exercise") == label)
        cells.insert(last + 1, answer_cell(label))
    notebook.cells = cells
    return notebook
