"""Accessibility beyond the per-page checks of test_browser.py: math a screen reader can read,
controls operated by keys alone, and planted faults that the checks must name."""

import re

import pytest

import a11y
from helpers import EDITIONS, ROOT, SITE_PAGES, browsed, open_page, serve_folder

pytestmark = [
    pytest.mark.book,  # a browser, and (most) the built book
    pytest.mark.environment,  # a browser started with this environment; DLBOOK_BROWSE's pages
]


@pytest.fixture(scope="module")
def student_site():
    folder = EDITIONS["student"]
    if not (folder / "index.html").exists():
        pytest.skip(f"{folder} is not built: run `make student` (make test does)")
    with serve_folder(folder) as url:
        yield url


@pytest.mark.parametrize("name", browsed(SITE_PAGES))
def test_axe_finds_no_violation_in_the_student_edition(browser, student_site, name):
    """As test_browser.py's check of the instructor edition; the published tree's docs/ is
    this site, file for file (test_publish.py)."""
    found = []
    for label, (width, height) in a11y.WIDTHS.items():
        page, _, _ = open_page(browser, f"{student_site}/{name}.html", width, height)
        found += a11y.violations(page, f"student {name} at {width} px ({label})")
        page.close()
    assert not found, f"{len(found)} violations:\n" + "\n".join(found)


# TeX commands for Greek letters, and what MathJax's MathML writes for them.
GREEK = dict(alpha="α", beta="β", gamma="γ", delta="δ", epsilon="ϵ", varepsilon="ε",
             theta="θ", lambda_="λ", mu="μ", sigma="σ", tau="τ", phi="ϕ", psi="ψ",
             omega="ω", Sigma="Σ", Delta="Δ")  # fmt: skip
GREEK["lambda"] = GREEK.pop("lambda_")
# Commands whose braces hold text, not symbols (MathML's <mtext>), and environment names.
TEXT = re.compile(r"\\(text|mbox|textrm|begin|end|operatorname)\s*\{[^}]*\}")


def symbols(tex: str) -> set[str]:
    """The identifiers a reader must hear: single Latin letters, and Greek letters."""
    greek = {GREEK[c] for c in re.findall(r"\\([A-Za-z]+)", tex) if c in GREEK}
    latin = set(re.findall(r"[A-Za-z]", re.sub(r"\\[A-Za-z]+", " ", TEXT.sub(" ", tex))))
    return greek | latin


DISPLAYED = """() => Array.from(MathJax.startup.document.math).filter(m => m.display).map(m => {
    const root = m.typesetRoot, mml = root.querySelector('mjx-assistive-mml > math');
    return {tex: m.math, block: mml && mml.getAttribute('display'),
            names: mml ? [...mml.querySelectorAll('mi')].map(e => e.textContent).join(' ') : '',
            drawing: root.querySelector('mjx-math').getAttribute('aria-hidden'),
            exposed: !root.querySelector('mjx-assistive-mml[aria-hidden]')}; })"""


def test_every_displayed_equation_of_chapter_5_reaches_a_screen_reader(browser, html_dir):
    """MathJax's assistive MathML (tools/sphinx/mathjax.py): beside each drawn equation,
    hidden from the eye, a MathML copy that names its symbols; the drawing is hidden from
    the screen reader so it hears the equation once."""
    with serve_folder(html_dir) as url:
        page, _, failures = open_page(browser, f"{url}/book/05-diffusion.html")
        a11y.settle(page)
        equations = page.evaluate(DISPLAYED)
        page.close()
    assert failures == []
    assert len(equations) >= 8  # chapter 5's displayed equations
    for equation in equations:
        where = f"chapter 5, equation {equation['tex'].strip()[:60]!r}"
        assert equation["block"] == "block", f"{where}: no assistive MathML"
        assert equation["drawing"] == "true" and equation["exposed"], where
        missing = symbols(equation["tex"]) - set(equation["names"].replace(" ", ""))
        assert not missing, f"{where}: the MathML does not name {sorted(missing)}"


def test_symbols_finds_identifiers_not_commands():
    tex = r"\bar\alpha_t = \prod_{s \le t} (1 - \beta_s) \text{ for all } \mathbf{x}"
    assert symbols(tex) == {"α", "β", "t", "s", "x"}


def test_a_solution_the_menus_and_the_slider_work_by_keys(browser, html_dir):
    with serve_folder(html_dir) as url:
        page, _, _ = open_page(browser, f"{url}/book/03-losses.html")
        toggle = page.locator(".solution button.toggle-button").first
        solution = page.locator(".solution").first
        assert "toggle-hidden" in solution.get_attribute("class")
        toggle.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("(el) => !el.classList.contains('toggle-hidden')",
                               arg=solution.element_handle())  # fmt: skip
        assert toggle.get_attribute("aria-expanded") == "true"
        page.keyboard.press("Space")
        page.wait_for_function("(el) => el.classList.contains('toggle-hidden')",
                               arg=solution.element_handle())  # fmt: skip
        for menu in (".dropdown-launch-buttons", ".dropdown-download-buttons"):
            page.locator(f"{menu} > button").focus()
            page.keyboard.press("Enter")
            page.keyboard.press("ArrowDown")  # Bootstrap's menu: into its items
            assert page.evaluate("document.activeElement.matches('.dropdown-item')"), menu
            page.keyboard.press("Escape")
            assert page.locator(f"{menu} .dropdown-menu").is_hidden(), menu
        slider = page.locator("#loss-explorer input[type=range]")
        value = page.locator("#loss-explorer output")
        slider.focus()
        before = value.inner_text()
        page.keyboard.press("ArrowRight")
        assert value.inner_text() != before
        page.close()


OUR_CSS = ROOT / "tools" / "sphinx" / "theme" / "static" / "dlbook-a11y.css"
PLANTED = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Planted</title>
<style>body {{ background: #fff; color: #222; }} .note {{ background: #ecf3ff; }}
a {{ color: {link}; }}</style></head>
<body><main><h1>Chapter</h1><{heading}>Section</{heading}>
<div class="note"><p>As equation <a id="eq-link" href="#figure">(21)</a> says.</p></div>
<img id="figure" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="40" height="40"{alt}>
</main></body></html>"""
OUR_LINK = re.search(r"--pst-color-primary:\s*(#[0-9a-f]{6})", OUR_CSS.read_text())[1]


@pytest.mark.parametrize(
    "fault, expected",
    [
        ({}, None),
        ({"link": "#176de8"}, "color-contrast (serious) at #eq-link"),  # the theme's own
        ({"alt": ""}, "image-alt (critical) at #figure"),
        ({"heading": "h3"}, "heading-order (moderate) at h3"),
    ],
)
def test_axe_names_the_page_and_element_of_a_planted_fault(browser, tmp_path, fault, expected):
    """The check that runs over the book, on a page whose one fault is known: a link colour
    below 4.5:1 on a note box, a figure without alt text, a heading that skips a level."""
    page_html = PLANTED.format(**{"link": OUR_LINK, "heading": "h2", "alt": ' alt="A dot"',
                                  **fault})  # fmt: skip
    (tmp_path / "planted.html").write_text(page_html)
    with serve_folder(tmp_path) as url:
        page, _, _ = open_page(browser, f"{url}/planted.html")
        found = a11y.violations(page, "planted.html")
        page.close()
    if expected is None:
        assert found == [], "our link colour on a note box is AA"
    else:
        assert len(found) == 1 and found[0].startswith(f"planted.html: {expected}"), found
