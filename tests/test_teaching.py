"""What a student reading the chapters in order relies on: each chapter says what it needs and
how long it takes; a glossary term is linked where a chapter first uses it; no exercise's answer
stands above it; and the text talks about the subject, not about the build or an old homework."""

import re

import jupytext
import pytest

from helpers import ROOT, chapters
from tools.student import plain_notebook

GLOSSARY = ROOT / "book" / "glossary.md"
# What a reader does not read as prose: code cells and listings, math, inline code, MyST
# targets, directive options, headings, and the targets of links and roles.
NOT_PROSE = re.compile(
    r"(?s:\A---\n.*?\n---\n|```.*?```|\$\$.*?\$\$)|\$[^$\n]+\$|`[^`\n]*`|^\([\w-]+\)=$"
    r"|^:\w+:[^\n]*$|^#+ [^\n]*$|\]\([^)]*\)",
    re.M,
)
TERM_ROLE = re.compile(r"\{term\}`(?:[^`<]*<)?([^`<>]+?)>?`")


def source(chapter: str) -> str:
    return (ROOT / f"{chapter}.md").read_text()


def glossary() -> dict[str, str]:
    """Every name of every entry (an entry may have several), lower case -> the entry's first."""
    names = {}
    for block in plain_notebook.GLOSSARY.findall(GLOSSARY.read_text()):
        for group in re.split(r"\n(?=\S)(?<=\n\n)|\n\n(?=\S)", block):
            lines = [t for t in plain_notebook.GLOSSARY_TERM.findall(group)]
            for name in lines:
                names[name.lower()] = lines[0].lower()
    return names


def first_uses(text: str, names: dict[str, str]) -> tuple[dict[str, int], dict[str, int]]:
    """Per entry: where the chapter first links it, and where prose first mentions it."""
    linked, mentioned = {}, {}
    for match in TERM_ROLE.finditer(text):
        entry = names.get(match.group(1).strip().lower())
        assert entry, f"{{term}} {match.group(1)!r} is not in the glossary"
        linked.setdefault(entry, match.start())
    prose = TERM_ROLE.sub(lambda m: " " * len(m.group(0)), text)
    prose = NOT_PROSE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), prose)
    prose = re.sub(r"\{[a-z:]+\}`[^`]*`", lambda m: " " * len(m.group(0)), prose)
    for name, entry in names.items():
        found = re.search(rf"(?<![\w-]){re.escape(name)}s?(?![\w-])", prose, re.I)
        if found and found.start() < mentioned.get(entry, len(text)):
            mentioned[entry] = found.start()
    return linked, mentioned


@pytest.mark.parametrize("chapter", chapters())
def test_glossary_terms_are_linked_where_a_chapter_first_uses_them(chapter):
    text = source(chapter)
    linked, mentioned = first_uses(text, glossary())
    early = {
        entry: text[:at].count("\n") + 1
        for entry, at in mentioned.items()
        if at < linked.get(entry, len(text))
    }
    assert early == {}, f"{chapter}: used before their first {{term}} link (line): {early}"


def test_the_glossary_check_finds_a_term_used_before_its_link():
    names = glossary()
    text = "The Jacobian is a matrix. Its {term}`Jacobian` entries are derivatives."
    linked, mentioned = first_uses(text, names)
    assert mentioned["jacobian"] < linked["jacobian"]
    linked, mentioned = first_uses("A `Jacobian` in code, $J$ in math.", names)
    assert "jacobian" not in mentioned  # code and math are not prose


@pytest.mark.parametrize("chapter", chapters())
def test_each_chapter_opens_with_what_it_needs_and_how_long_it_takes(chapter):
    opening = jupytext.reads(source(chapter), fmt="md:myst").cells[0].source
    top = r"^# .+\n\n\*\*Prerequisites:\*\* .+\*\*Time:\*\* about \d+ minutes"
    assert re.search(top, opening, re.M | re.S), f"{chapter}: no prerequisites and time at top"


@pytest.mark.parametrize("chapter", chapters())
def test_the_old_homework_is_named_once_and_argued_with_in_the_errata(chapter):
    prose = re.sub(r"\{cite:[pt]\}`[^`]*`", "", source(chapter))
    assert "homework" not in prose.lower(), f"{chapter}: 'homework' in the text"
    named = prose.count("2023 course notebook")
    assert named <= 1, f"{chapter}: the 2023 course notebook named {named} times"
    if named:
        assert re.search(r"\{ref\}`[^`]*errata-ch\d>?`", prose), f"{chapter}: no errata link"


def normal(text: str) -> str:
    """Code and LaTeX reduced to what they say: `4 * p1 * (1 - p1)` and `4\\, p_1 (1 - p_1)`
    both become `4p1(1-p1)`."""
    text = text.lower().replace("−", "-").replace("·", "").replace("return ", "")
    for noise in (r"\left", r"\right", r"\bigl", r"\bigr", r"\cdot", r"\,", r"\;", r"\!"):
        text = text.replace(noise, "")
    return re.sub(r"[\s*{}_]", "", text)


def answers(chapter_source: str) -> dict[str, list[str]]:
    """Each exercise's answer strings: its code solution's lines, and the equations of its prose
    solution that its statement does not already give."""
    found = {}
    blocks = re.findall(
        r"^:::\{exercise\}.*?\n:label: (\S+)\n(.*?)^:::$", chapter_source, re.M | re.S
    )
    for label, statement in blocks:
        after = chapter_source[chapter_source.index(f":label: {label}") :]
        code = re.search(
            r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", after.split(":::{exercise}")[0], re.S
        )
        lines = code.group(1).splitlines() if code else []
        prose = re.search(rf"^:::\{{solution\}} {label}\n(.*?)^:::$", chapter_source, re.M | re.S)
        formulas = re.findall(r"\$\$(.*?)\$\$|\$([^$]+)\$", prose.group(1), re.S) if prose else []
        given = normal(statement)
        # a line that computes (an arithmetic operator), not one that names or calls
        code = [line.split("#")[0] for line in lines]
        strings = [normal(line) for line in code if re.search(r"[-+*/@]", line)]
        strings = [s for s in strings if len(s) >= 6]
        # a prose answer's result: its display equations and its last "x = ...", unless the
        # question states them itself (the steps before are allowed to cite the page)
        results = [normal(a) for a, _ in formulas if a]
        results += [f for _, b in formulas if b and "=" in (f := normal(b))][-1:]
        strings += [f for f in results if len(f) >= 16 and f not in given]
        found[label] = strings
    return found


def student_view_above(chapter: str) -> dict[str, str]:
    """Per exercise, all a student can read above it: text, code (listings included) and the
    outputs of the chapter's executed notebook, solutions removed."""
    import nbformat

    from tools.student import student_edition

    notebook = student_edition.student_notebook(
        nbformat.read(ROOT / f"{chapter}.ipynb", as_version=4), chapter
    )
    seen, above = [], {}
    for cell in notebook.cells:
        text = plain_notebook.INCLUDE.sub(
            lambda m: plain_notebook.function_source(
                (ROOT / "book" / m.group(1)).resolve(),
                plain_notebook.options(m.group(2))["pyobject"],
            ),
            cell.source,
        )
        for label in re.findall(r"^:label: (ex-\S+)$", text, re.M):
            above[label] = normal("\n".join(seen) + text.split(f":label: {label}")[0])
        seen.append(text)
        for output in cell.get("outputs", []):
            seen.append(output.get("text", "") + output.get("data", {}).get("text/plain", ""))
    return above


@pytest.mark.parametrize("chapter", chapters())
def test_no_exercise_answer_appears_above_it(chapter):
    """Textual: an answer line or equation standing above its exercise, up to spacing, `*`
    and LaTeX's spacing commands. (It cannot see the same idea written with other names: the
    reviews read for that.)"""
    above = student_view_above(chapter)
    shown = {
        label: [s for s in strings if s in above[label]]
        for label, strings in answers(source(chapter)).items()
    }
    assert {label: s for label, s in shown.items() if s} == {}, f"{chapter}: answers above"


def test_the_answer_check_sees_a_formula_the_page_already_shows():
    old = (
        ":::{exercise} SE\n:label: ex-se\n\nDerive it.\n:::\n\n"
        "```{code-cell} ipython3\ndef dse(p1, y1):\n    ### BEGIN SOLUTION\n"
        "    return 4 * p1 * (1 - p1) * (p1 - y1)\n    ### END SOLUTION\n```\n"
    )
    shown = normal(r"$$ \frac{\partial SE}{\partial z_1} = 4\, p_1 (1 - p_1) (p_1 - y_1) . $$")
    (strings,) = answers(old).values()
    assert strings and all(s in shown for s in strings)


PUBLISHED = ROOT / "_build" / "publish"
# What a student's copy of the book must not talk about: our build, tests and machines.
BUILD_TALK = re.compile(
    r"\bnbval\b|\brehears|\bmake (book|test|check|golden|publish|student|pdf|rehearsal)\b"
    r"|\bCI\b|\btests?/|\btools/|\bbench/|\bGPU has been lent\b|machines that build",
    re.I,
)
# A path: folders and a file with a suffix, or under a folder a repository has (not d/dx).
PATH = re.compile(
    r"(?<![\w./:-])((?:[\w.-]+/)+[\w-]+\.[a-z]{1,5}\b"
    r"|(?:_build|bench|binder|book|code|dlbook|docs|tests|tools)/[\w./-]*)"
)


def published_text(chapter: str) -> str:
    """What a student reads in the published notebook: its Markdown without math, and its
    code's comments and strings."""
    import io
    import tokenize

    import nbformat

    path = PUBLISHED / f"{chapter}.ipynb"
    if not path.exists():
        pytest.skip("no published tree in _build/publish: run `make publish` (make test does)")
    parts = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            parts.append(re.sub(r"(?s:\$\$.*?\$\$)|\$[^$\n]+\$", " ", cell.source))
            continue
        code = "\n".join(line for line in cell.source.splitlines() if not line.startswith("%"))
        tokens = tokenize.generate_tokens(io.StringIO(code).readline)
        parts += [t.string for t in tokens if t.type in (tokenize.COMMENT, tokenize.STRING)]
    return "\n".join(parts)


@pytest.mark.book
@pytest.mark.parametrize("chapter", chapters())
def test_the_students_notebook_talks_about_the_subject_not_the_build(chapter):
    text = published_text(chapter)
    assert [m.group(0) for m in BUILD_TALK.finditer(text)] == [], chapter


@pytest.mark.book
@pytest.mark.parametrize("chapter", chapters())
def test_every_path_a_students_notebook_names_is_in_the_students_repository(chapter):
    text = re.sub(r"\(?<?https?://\S+", " ", published_text(chapter))  # addresses, not paths
    # The reference list names files of the works it cites (other repositories), not ours.
    text = re.sub(r"(?ms)^## References\n.*?(?=^#|\Z)", " ", text)
    missing = sorted(
        {
            path
            for path in PATH.findall(text)
            if not any((PUBLISHED / base / path).exists() for base in ("", "code", "book"))
        }
    )
    assert missing == [], f"{chapter}: names paths a student's copy does not have"


@pytest.mark.parametrize("chapter", chapters())
def test_each_chapter_explains_with_a_figure_drawn_by_the_package(chapter):
    """Beside the plots that measure, a figure that explains (a graph, a matrix's structure, a
    dataflow): drawn by a `draw` function of dlbook, which its tests check, with alt text
    that says what it shows."""
    notebook = jupytext.reads(source(chapter), fmt="md:myst")
    drawn = [
        cell.metadata["mystnb"]
        for cell in notebook.cells
        if cell.cell_type == "code"
        and "figure" in cell.metadata.get("mystnb", {})
        and re.search(r"\b\w+\.draw\w*\(", cell.source)
    ]
    assert drawn, f"{chapter}: no figure drawn by a dlbook draw function"
    for figure in drawn:
        assert len(figure.get("image", {}).get("alt", "")) >= 80, figure["figure"]["name"]
