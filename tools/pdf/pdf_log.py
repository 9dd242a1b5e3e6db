"""What went wrong in a xelatex run, read from its log, each with the book page and line (and
in a failed Sphinx run, the warning that stopped it: sphinx_cause).

Errors (-file-line-error: "./foundations.tex:123: ..."), references and citations left
unresolved ("??" in the PDF), overfull boxes (a line past the margin) and characters the font
lacks (they print as nothing). A line of the .tex is traced back to the book's page by the
nearest label Sphinx wrote before it (\\label{\\detokenize{book/03-losses:...}}).
"""

import re
from pathlib import Path

ERROR = re.compile(r"^\./(?P<file>[^:\n]+):(?P<line>\d+): (?P<message>.*)$", re.M)
UNDEFINED = re.compile(
    r"^(?:LaTeX|Package \w+) Warning: (?P<what>Reference|Citation|Hyper reference) [`'](?P<key>"
    r"[^']*)' on page (?P<page>\d+) undefined on input line (?P<line>\d+)",
    re.M,
)
OVERFULL = re.compile(
    r"^Overfull \\hbox \((?P<points>[\d.]+)pt too wide\) (?:in paragraph|in alignment|detected)"
    r" at lines? (?P<line>\d+)",
    re.M,
)
MISSING = re.compile(
    r"^Missing character: There is no (?P<char>.+?) in font (?P<font>[^/!]+)", re.M
)
LABEL = re.compile(r"\\label\{\\detokenize\{(?P<page>[^:}]+)[:}]")
# A box this little past the margin is invisible in print; TeX reports from 0.1 pt.
TOLERANCE_PT = 1.0


def page_of(tex_lines: list[str], line: int) -> str:
    """The book page (Sphinx docname) whose text holds line `line` (1-based) of the .tex."""
    for text in reversed(tex_lines[:line]):
        found = LABEL.findall(text)
        if found:
            return found[-1]
    return "front matter"


def where(tex_lines: list[str], line: int) -> str:
    text = tex_lines[line - 1].strip() if 0 < line <= len(tex_lines) else ""
    return f"{page_of(tex_lines, line)}, .tex line {line}: {text[:100]}"


def problems(log: str, tex: Path) -> list[str]:
    tex_lines = tex.read_text(errors="replace").splitlines()
    found = []
    for match in ERROR.finditer(log):
        line = int(match["line"])
        place = where(tex_lines, line) if match["file"] == tex.name else f"{match['file']}:{line}"
        found.append(f"error: {match['message']} ({place})")
    for match in re.finditer(r"^! (.*)$", log, re.M):  # errors TeX reports without a file
        found.append(f"error: {match[1]}")
    for match in UNDEFINED.finditer(log):
        found.append(
            f"unresolved {match['what'].lower()} {match['key']!r} on PDF page {match['page']}"
            f" ({where(tex_lines, int(match['line']))})"
        )
    for match in OVERFULL.finditer(log):
        if float(match["points"]) > TOLERANCE_PT:
            place = where(tex_lines, int(match["line"]))
            found.append(f"a line {match['points']}pt past the margin ({place})")
    # A glyph the font lacks prints as nothing; xelatex only logs it (no line: name the font).
    for char, font in sorted({(m["char"], m["font"]) for m in MISSING.finditer(log)}):
        found.append(f"a character that does not print: {char} is not in {font}")
    return found


def sphinx_cause(log: Path) -> str:
    """The warning -W turned into an error (it names the file and line), or Sphinx's error."""
    lines = [re.sub(r"\x1b\[[\d;]*m", "", line) for line in log.read_text().splitlines()]
    for before, line in zip(lines, lines[1:], strict=False):
        if before.startswith("Warning, treated as error"):
            return line
    errors = [line for line in lines if re.search(r"(WARNING|ERROR|Error):", line)]
    return errors[-1] if errors else f"see {log}"
