"""A chapter as plain Jupyter: every MyST-only construct resolved, for Colab and Binder.

Colab and Binder render a notebook's Markdown as CommonMark + LaTeX, so what Sphinx would
resolve is resolved here instead:

    literalinclude :pyobject:   the function's source, as a Python code block
    {cite:p} / {cite:t}         "(Author, Year)" / "Author (Year)", with a reference list
    :::{exercise} title         "**Exercise c.n: title**" and the task as a blockquote
    $$ ... $$ (label), {eq}     \\tag{c.n} on the equation, "(c.n)" where it is cited
    a figure's caption          a Markdown cell under it, "**Fig. c.n** caption" (Colab shows
                                no cell metadata); its alt text on the image output
    # Title                     "# c. Title"

Numbers are per chapter, c being the chapter's (the NN of its file name), as on the site,
whose toc numbers the chapters in that order (_config.yml: numfig_secnum_depth).
    (label)= / {ref}            the target removed; the reference becomes the section's title
    {term}                      a link to the term's entry in the site's glossary

Anything else in MyST's syntax stops the conversion with the chapter and the construct named
(tests/test_publish.py also scans the output), so a new construct cannot slip through as text.
"""

import ast
import codecs
import re
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "ulatex" codec that decodes BibTeX's accents)
import nbformat
from pybtex.database import parse_file
from sphinx.util.nodes import _make_id  # the anchor Sphinx gives a glossary term

ROLE = re.compile(r"\{([a-z:-]+)\}`([^`]*)`")
LABEL = re.compile(r"^\(([\w-]+)\)=[ \t]*\n", re.M)
EQUATION = re.compile(r"^\$\$[ \t]*\n((?:(?!\$\$).)*?)\n\$\$[ \t]*\(([\w-]+)\)[ \t]*$", re.M | re.S)
INCLUDE = re.compile(r"^```\{literalinclude\}[ \t]+(\S+)[ \t]*\n((?::\w+:.*\n)*)```[ \t]*$", re.M)
EXERCISE = re.compile(
    r"^:::\{exercise\}[ \t]*([^\n]*)\n((?::\w+:[^\n]*\n)*)(.*?)^:::[ \t]*$", re.M | re.S
)
LEFTOVER = re.compile(r"^(```|:::)\{|\{[a-z:-]+\}`|^\([\w-]+\)=|^\$\$[ \t]*\(", re.M)


class ConversionError(ValueError):
    pass


def plain(text: str) -> str:
    """BibTeX text without braces and LaTeX accents."""
    return codecs.decode(text, "ulatex").replace("{", "").replace("}", "")


class Bibliography:
    """One notebook's citations, from the book's parsed entries."""

    def __init__(self, entries):
        self.entries = entries
        self.cited: list[str] = []

    def entry(self, key: str):
        if key not in self.entries:
            raise ConversionError(f"unknown citation key {key!r}")
        if key not in self.cited:
            self.cited.append(key)
        return self.entries[key]

    def authors(self, key: str) -> str:
        people = self.entry(key).persons.get("author") or self.entry(key).persons["editor"]
        names = [plain(" ".join(person.prelast_names + person.last_names)) for person in people]
        if len(names) > 2:
            return f"{names[0]} et al."
        return " and ".join(names)

    def year(self, key: str) -> str:
        return self.entry(key).fields["year"]

    def cite(self, role: str, keys: str) -> str:
        keys = [key.strip() for key in keys.split(",")]
        if role == "cite:t":
            return "; ".join(f"{self.authors(k)} ({self.year(k)})" for k in keys)
        return "(" + "; ".join(f"{self.authors(k)}, {self.year(k)}" for k in keys) + ")"

    def reference_list(self) -> str:
        lines = ["## References", ""]
        for key in sorted(self.cited, key=lambda k: (self.authors(k), self.year(k))):
            fields = self.entries[key].fields
            venue = fields.get("journal") or fields.get("booktitle") or fields.get("publisher")
            link = fields.get("url") or (fields.get("doi") and f"https://doi.org/{fields['doi']}")
            parts = [f"{self.authors(key)} ({self.year(key)}). {plain(fields['title'])}."]
            parts += [f"*{plain(venue)}*."] if venue else []
            parts += [f"<{link}>"] if link else []
            lines.append("- " + " ".join(parts))
        return "\n".join(lines)


def function_source(path: Path, name: str) -> str:
    """What literalinclude's :pyobject: shows: the top-level definition, decorators included."""
    source = path.read_text()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name:
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            return "\n".join(source.splitlines()[start - 1 : node.end_lineno])
    raise ConversionError(f"{path.name} defines no {name!r}")


def options(block: str) -> dict[str, str]:
    return dict(re.findall(r"^:(\w+):[ \t]*(.*)$", block, re.M))


TARGET = re.compile(r"^\(([\w-]+)\)=[ \t]*\n#+[ \t]+(.+)$", re.M)
GLOSSARY = re.compile(r"^```\{glossary\}[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
GLOSSARY_TERM = re.compile(r"^(?![ \t:])(\S.*?)[ \t]*$", re.M)


def glossary_terms(source: str) -> list[str]:
    """The terms a page's glossary defines: its unindented lines (definitions are indented)."""
    return [t for block in GLOSSARY.findall(source) for t in GLOSSARY_TERM.findall(block)]


class Book:
    """What a chapter may refer to elsewhere: section titles (in another notebook, or on a page
    of the site that has no notebook, such as the errata) and exercise numbers."""

    def __init__(self, notebooks: dict, bibfile: Path, pages: dict[str, str] | None = None):
        """`pages` maps the URL of each other page of the site to its MyST source."""
        self.entries = parse_file(str(bibfile)).entries  # parsed once for every chapter
        self.titles: dict[str, tuple[str, str]] = {}  # label -> (link, heading)
        for name, notebook in notebooks.items():
            for cell in notebook.cells:
                if cell.cell_type == "markdown":
                    for label, heading in TARGET.findall(cell.source):
                        self.titles[label] = (name, heading.strip())
        self.terms: dict[str, str] = {}  # term, lower case -> its link in the site's glossary
        for url, source in (pages or {}).items():
            for label, heading in TARGET.findall(source):
                self.titles[label] = (f"{url}#{label}", heading.strip())
            for term in glossary_terms(source):
                self.terms[term.lower()] = f"{url}#{_make_id('term-' + term)}"


def captions(notebook, chapter: int) -> None:
    """Each figure's caption as a Markdown cell after its code cell, and its alt text on the
    image it output (nbconvert's convention: the output's metadata)."""
    cells, figures = [], 0
    for cell in notebook.cells:
        cells.append(cell)
        mystnb = cell.metadata.get("mystnb", {}) if cell.cell_type == "code" else {}
        if "caption" in mystnb.get("figure", {}):
            figures += 1
            caption = " ".join(mystnb["figure"]["caption"].split())
            cells.append(nbformat.v4.new_markdown_cell(f"**Fig. {chapter}.{figures}** {caption}"))
        for output in cell.get("outputs", []) if "alt" in mystnb.get("image", {}) else []:
            if "image/png" in output.get("data", {}):
                alt = " ".join(mystnb["image"]["alt"].split())
                output.setdefault("metadata", {}).setdefault("image/png", {})["alt"] = alt
    notebook.cells = cells


def convert(notebook, name: str, book: Book, source_dir: Path):
    """`notebook` (a student-edition chapter) as plain Jupyter; `name` is its file name."""
    notebook = nbformat.from_dict(notebook)
    bibliography = Bibliography(book.entries)
    chapter = int(name[:2])
    equations: dict[str, str] = {}
    exercises = 0
    captions(notebook, chapter)

    def number_equation(match):
        equations[match.group(2)] = f"{chapter}.{len(equations) + 1}"
        return f"$$\n{match.group(1)}\n\\tag{{{equations[match.group(2)]}}}\n$$"

    def include(match):
        opts = options(match.group(2))
        if set(opts) != {"pyobject"}:
            raise ConversionError(f"{name}: literalinclude supports :pyobject: only, not {opts}")
        code = function_source((source_dir / match.group(1)).resolve(), opts["pyobject"])
        return f"```python\n{code}\n```"

    def exercise(match):
        nonlocal exercises
        exercises += 1
        title = match.group(1).strip()
        heading = f"**Exercise {chapter}.{exercises}" + (f": {title}**" if title else "**")
        body = "\n".join(f"> {line}".rstrip() for line in match.group(3).strip().splitlines())
        return f"{heading}\n\n{body}"

    def role(match):
        kind, target = match.groups()
        if kind.startswith("cite"):
            return bibliography.cite("cite:t" if kind == "cite:t" else "cite:p", target)
        if kind == "eq":
            if target not in equations:
                raise ConversionError(f"{name}: {{eq}} {target!r} is not an equation of this page")
            return f"({equations[target]})"
        if kind == "term":
            text, term = re.fullmatch(r"(?:(.*?)\s*<)?([^<>]+?)>?", target).groups()
            if term.lower() not in book.terms:
                raise ConversionError(f"{name}: {{term}} {term!r} is not in the glossary")
            return f"[{text or term}]({book.terms[term.lower()]})"
        if kind == "ref":
            text, label = re.fullmatch(r"(?:(.*?)\s*<)?([\w-]+)>?", target).groups()
            if label not in book.titles:
                raise ConversionError(f"{name}: {{ref}} to unknown label {label!r}")
            where, heading = book.titles[label]
            return f"[{text or heading}]({where})" if where != name else (text or heading)
        raise ConversionError(f"{name}: no plain form for the role {{{kind}}}")

    markdown = [cell for cell in notebook.cells if cell.cell_type == "markdown"]
    for cell in markdown:  # number every equation first: a reference may precede its equation
        cell.source = EQUATION.sub(number_equation, cell.source)
    for cell in markdown:
        text = LABEL.sub("", cell.source)
        text = INCLUDE.sub(include, text)
        text = EXERCISE.sub(exercise, text)
        text = ROLE.sub(role, text)
        if text.startswith("# ") and cell is markdown[0]:  # the title, numbered as on the site
            text = f"# {chapter}. {text[2:]}"
        leftover = LEFTOVER.search(text)
        if leftover:
            line = text[leftover.start() :].splitlines()[0]
            raise ConversionError(f"{name}: no plain form for {line!r}")
        cell.source = text
    if bibliography.cited:
        notebook.cells.append(nbformat.v4.new_markdown_cell(bibliography.reference_list()))
    return notebook
