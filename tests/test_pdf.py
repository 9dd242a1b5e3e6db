"""The book as a PDF, per edition (make pdf, tools/pdf/build_pdf.py), read with poppler's tools:
every chapter and exercise is there, every figure, no unresolved reference, every font
embedded, no line outside the text block, and no solution in the student's."""

import re
import shutil
import subprocess

import pytest

from helpers import HTML, ROOT, chapters, pages, unwatched_environment
from test_editions import normalized, solution_snippets
from tools import settings

pytestmark = pytest.mark.book  # needs the built PDFs: not in the fast loop

PDF = ROOT / "_build" / "pdf"
EDITIONS = {"instructor": PDF / "foundations.pdf", "student": PDF / "foundations-student.pdf"}
SITES = {"instructor": HTML, "student": ROOT / "_build" / "student" / "_build" / "html"}
# Sphinx's LaTeX layout: 1 inch side margins (sphinx.sty's hmargin) on US letter paper.
MARGIN_PT, TOLERANCE_PT = 72, 1.5
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>')
PAGE = re.compile(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', re.S)


def poppler(*command: str) -> str:
    env = unwatched_environment()  # poppler reads none of the book's settings
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module", params=sorted(EDITIONS))
def edition(request):
    name = request.param
    if not EDITIONS[name].exists():
        pytest.skip(f"no {EDITIONS[name].name}: run `make pdf` (make test does)")
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed: tools/pdf/install_tex.sh")
    return name


@pytest.fixture(scope="module")
def text(edition):
    """The PDF's text, words joined across line breaks and hyphenations."""
    raw = poppler("pdftotext", "-enc", "UTF-8", str(EDITIONS[edition]), "-")
    return normalized(re.sub(r"(\w)-\n(\w)", r"\1\2", raw))


def headings(chapter: str) -> tuple[str, list[str]]:
    source = (ROOT / f"{chapter}.md").read_text()
    title = re.search(r"^# (.+)$", source, re.M).group(1)
    return title, re.findall(r"^:::\{exercise\} (.+)$", source, re.M)


def test_every_chapter_and_exercise_is_there(edition, text):
    for chapter in chapters():
        title, exercises = headings(chapter)
        assert normalized(title) in text, f"{edition}: chapter {title!r} missing"
        assert exercises, chapter
        for heading in exercises:
            assert normalized(heading) in text, f"{edition}: exercise {heading!r} missing"
    for back_matter in ("Errata", "Bibliography", "Contents"):
        assert back_matter.lower() in text.lower(), f"{edition}: no {back_matter}"


def test_title_page_and_front_matter(edition, text):
    semester = settings.course().semester
    first_pages = normalized(
        poppler("pdftotext", "-l", "3", "-enc", "UTF-8", str(EDITIONS[edition]), "-")
    )
    assert f"{edition.capitalize()} edition" in first_pages
    assert semester in first_pages and "CC BY 4.0" in first_pages
    assert "DLBOOK_MODEL=" in first_pages and "torch" in first_pages  # the footer's facts
    assert "Which weights produced these pages" in first_pages


def test_every_figure_of_the_site_is_printed(edition):
    site = SITES[edition]
    if not (site / "index.html").exists():
        pytest.skip(f"no {edition} site to compare with")
    figures = sum(
        len(re.findall(r"<img [^>]*src=\"(?:\.\./)*_images/", (site / f"{page}.html").read_text()))
        for page in chapters()
    )
    listing = poppler("pdfimages", "-list", str(EDITIONS[edition])).splitlines()[2:]
    images = [row for row in listing if row.split()[2] == "image"]  # not soft masks
    assert figures > 5
    assert len(images) >= figures, f"{edition}: {len(images)} images, the site has {figures}"


def test_no_unresolved_reference(edition, text):
    assert "??" not in text and "[?]" not in text


def test_every_font_is_embedded(edition):
    rows = poppler("pdffonts", str(EDITIONS[edition])).splitlines()[2:]
    assert rows
    # Columns from the right: emb sub uni object ID (two fields).
    missing = [row for row in rows if row.split()[-5] != "yes"]
    assert not missing, f"{edition}: fonts not embedded: {missing}"


def test_no_line_outside_the_text_block(edition):
    layout = poppler("pdftotext", "-bbox-layout", str(EDITIONS[edition]), "-")
    outside = []
    for number, (width, body) in enumerate(PAGE.findall(layout), start=1):
        right = float(width) - MARGIN_PT + TOLERANCE_PT
        for x_min, x_max, word in WORD.findall(body):
            if float(x_min) < MARGIN_PT - TOLERANCE_PT or float(x_max) > right:
                outside.append(f"page {number}: {word!r} at x {x_min}-{x_max}")
    assert not outside, f"{edition}: {len(outside)} words outside the text block: {outside[:5]}"


def test_student_pdf_has_no_solution(edition, text):
    snippets = [s for chapter in solution_snippets().values() for s in chapter]
    found = [snippet for snippet in snippets if snippet in text]
    if edition == "instructor":
        # The positive control: the scan finds the solutions where they are. Code lines that
        # wrap at the margin are not found whole, so most, not all.
        assert len(found) >= 0.8 * len(snippets), f"found {len(found)} of {len(snippets)}"
    else:
        assert not found, f"the student PDF contains solution text: {found[:3]}"


def test_every_page_offers_its_editions_pdf(edition):
    site = SITES[edition]
    if not (site / "index.html").exists():
        pytest.skip(f"no {edition} site")
    name = EDITIONS[edition].name
    assert (site / name).read_bytes() == EDITIONS[edition].read_bytes()
    for page in pages():
        html = (site / f"{page}.html").read_text()
        links = re.findall(r'href="([^"]*\.pdf)"', html)
        assert links and all(link.endswith(f"/{name}") for link in links), f"{edition}: {page}"
        assert (site / page).parent.joinpath(links[0]).resolve() == (site / name).resolve()


def test_the_student_repository_carries_the_student_pdf():
    tree = ROOT / "_build" / "publish"
    if not (tree / "README.md").exists():
        pytest.skip("no published tree in _build/publish: run `make publish` (make test does)")
    assert (tree / "docs" / EDITIONS["student"].name).exists()
    assert not (tree / "docs" / EDITIONS["instructor"].name).exists()
    assert f"{EDITIONS['student'].name}]" in (tree / "README.md").read_text()


def test_equations_and_figures_are_numbered_as_on_the_site(edition):
    site = SITES[edition]
    if not (site / "index.html").exists():
        pytest.skip(f"no {edition} site")
    html = "".join((site / f"{page}.html").read_text() for page in pages())
    equations = re.findall(r'class="eqno">\(([\d.]+)\)', html)
    figures = re.findall(r'caption-number">Fig\. ([\d.]+)', html)
    raw = poppler("pdftotext", "-enc", "UTF-8", str(EDITIONS[edition]), "-")
    assert equations and figures
    assert re.findall(r"^\(([\d.]+)\)$", raw, re.M) == equations
    assert re.findall(r"^Fig\. ([\d.]+)", raw, re.M) == figures


def printed_lines(edition: str) -> dict[str, list[str]]:
    """Per chapter, every line of its code cells and of their text outputs, as this edition's
    pages have them (the student's: solutions stubbed, outputs of answers dropped)."""
    import nbformat

    from tools.student import student_edition

    found = {}
    for chapter in chapters():
        if edition == "student":
            path = SITES["student"].parent.parent / "src" / f"{chapter}.ipynb"
            notebook = nbformat.read(path, as_version=4)
        else:
            cache = ROOT / "_build" / ".jupyter_cache"
            notebook = student_edition.executed_chapter(ROOT / f"{chapter}.md", cache)
        lines = []
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            lines += cell.source.splitlines()
            if "remove-output" in cell.metadata.get("tags", []):
                continue
            for output in cell.outputs:
                data = output.get("data", {})
                if output.output_type == "stream":
                    lines += output.text.splitlines()
                elif "text/plain" in data and not {"text/html", "image/png"} & set(data):
                    lines += data["text/plain"].splitlines()
        found[chapter] = [" ".join(line.split()) for line in lines if line.strip()]
    return found


def test_every_code_line_and_text_output_is_printed(edition):
    if not (SITES[edition] / "index.html").exists():
        pytest.skip(f"no {edition} site")
    # -layout keeps each printed line whole (the default order may split a line in two).
    layout = normalized(
        poppler("pdftotext", "-layout", "-enc", "UTF-8", str(EDITIONS[edition]), "-")
    )
    for chapter, lines in printed_lines(edition).items():
        missing = [line for line in lines if line not in layout]
        assert len(lines) > 20 and not missing, f"{edition}, {chapter}: {missing[:3]}"
