"""The built book in a real headless browser (Debian's chromium, driven by Playwright)."""

import contextlib

import pytest

import a11y
from helpers import EDITIONS, SITE_PAGES, browsed, chapters, open_page, pages, serve_folder

pytestmark = [
    pytest.mark.book,  # needs the built book or builds one: not in the fast loop
    pytest.mark.environment,  # a browser started with this environment; DLBOOK_BROWSE's pages
]


@pytest.fixture(scope="module")
def site(html_dir):
    with serve_folder(html_dir) as url:
        yield url


@pytest.fixture(scope="module")
def served():
    """Each edition's site (EDITIONS) on 127.0.0.1, started when a test first asks for it."""
    with contextlib.ExitStack() as stack:
        urls = {}

        def url(edition):
            if edition not in urls:
                if not (EDITIONS[edition] / "index.html").exists():
                    pytest.skip(f"{EDITIONS[edition]} is not built (make test builds it)")
                urls[edition] = stack.enter_context(serve_folder(EDITIONS[edition]))
            return urls[edition]

        yield url


@pytest.fixture(scope="module")
def loaded(browser, served):
    """Each page loaded once for every check that only reads it (a load takes seconds)."""
    pages_by_name = {}

    def load(name, edition="instructor"):
        if (edition, name) not in pages_by_name:
            url = f"{served(edition)}/{name}.html"
            pages_by_name[edition, name] = open_page(browser, url)
        return pages_by_name[edition, name]

    yield load
    for page, _, _ in pages_by_name.values():
        page.close()


@pytest.mark.parametrize("name", browsed(pages()))
def test_page_requests_stay_local_and_succeed(loaded, served, html_dir, name):
    page, requests, failures = loaded(name)
    assert [url for url in requests if not url.startswith((served("instructor"), "data:"))] == []
    assert failures == []
    # A screenshot of every page, for a person to look at (e.g. CI artifacts).
    shots = html_dir.parent / "screenshots"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"{name.replace('/', '-')}.png"), full_page=True)


def test_a_missing_file_counts_as_a_failure(browser, tmp_path):
    """The check above would see a page whose script or font is missing from the build."""
    (tmp_path / "page.html").write_text('<img src="missing.png" alt="x"><p>text</p>')
    with serve_folder(tmp_path) as url:
        page, requests, failures = open_page(browser, f"{url}/page.html")
    page.close()
    assert failures == [f"404 {url}/missing.png"]


@pytest.mark.parametrize("name", browsed(pages()))
def test_every_image_loads_and_has_alt_text(loaded, name):
    page, _, _ = loaded(name)
    images = page.evaluate(
        "[...document.querySelectorAll('article img')].map("
        "img => ({src: img.src.slice(0, 80), width: img.naturalWidth, alt: img.alt}))"
    )
    for image in images:
        assert image["width"] > 0, f"{image['src']} did not load"
        assert image["alt"].strip(), f"{image['src']} has no alt text"


@pytest.mark.parametrize("name", browsed(chapters()))
def test_math_is_typeset(loaded, name):
    page, _, _ = loaded(name)
    article = page.locator("article").inner_text()
    assert "$$" not in article and "\\(" not in article, "math left as raw TeX"
    expressions = page.locator(".math").count()
    if expressions == 0:  # Sphinx loads MathJax only on pages with math
        return
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("MathJax.startup.promise")  # resolves once the page is typeset
    assert page.locator(".math mjx-container").count() == expressions
    assert page.locator("mjx-merror").count() == 0, "MathJax could not parse an expression"


def test_static_explorer_slider_changes_the_plot(browser, site):
    page, _, _ = open_page(browser, f"{site}/book/03-losses.html")  # its own: it moves a slider
    explorer = page.locator("#loss-explorer")
    slider, curve, value = (
        explorer.locator("input"),
        explorer.locator('polyline[data-curve="grad-CE"]'),
        explorer.locator("output"),
    )
    before = curve.get_attribute("points")
    assert value.inner_text() == "y₁ = 0.500"
    assert explorer.locator("polyline").count() == 8  # 4 losses, 2 panels
    slider.focus()
    page.keyboard.press("Home")  # as a reader would: keyboard on the focused slider
    assert value.inner_text() == "y₁ = 0.001"
    assert curve.get_attribute("points") != before
    page.keyboard.press("End")
    assert value.inner_text() == "y₁ = 0.999"
    box = explorer.locator("svg").bounding_box()
    assert box["width"] > 600 and box["height"] > 150  # drawn, and at a readable size
    page.close()


# Every block of code or output a reader sees: cell inputs, cell outputs, literalincludes.
CODE_BLOCKS = "div.highlight pre, div.cell_output pre, div.output pre"
WIDER_THAN_THEIR_BOX = """(selector) => [...document.querySelectorAll(selector)]
    .filter((pre) => pre.offsetParent !== null && pre.scrollWidth > pre.clientWidth + 1)
    .map((pre) => pre.textContent.split("\\n").reduce((a, b) => (b.length > a.length ? b : a)))"""


@pytest.mark.parametrize("name", browsed(chapters()))
def test_code_and_output_fit_a_laptop_screen(loaded, name):
    """At 1280 px wide nothing scrolls sideways: each block's content fits its box."""
    page, _, _ = loaded(name)
    count = page.locator(CODE_BLOCKS).count()
    too_wide = page.evaluate(WIDER_THAN_THEIR_BOX, CODE_BLOCKS)
    assert count > 0
    longest = "\n".join(too_wide)
    assert not too_wide, f"{len(too_wide)} of {count} blocks scroll sideways:\n{longest}"


@pytest.mark.parametrize("name", browsed(SITE_PAGES))
def test_axe_finds_no_violation(browser, loaded, served, name):
    """axe-core's WCAG 2.0/2.1 A and AA rules and best practices, at a laptop's width (the
    shared load) and a phone's (a load of its own: the theme lays a page out as it loads).
    The student edition: test_accessibility.py (the other worker's share)."""
    page, _, _ = loaded(name)
    found = a11y.violations(page, f"instructor {name} at 1280 px")
    phone, _, _ = open_page(browser, f"{served('instructor')}/{name}.html", *a11y.WIDTHS["phone"])
    found += a11y.violations(phone, f"instructor {name} at 390 px")
    phone.close()
    assert not found, f"{len(found)} violations:\n" + "\n".join(found)


@pytest.mark.parametrize("name", browsed(SITE_PAGES))
def test_page_reflows_at_320_px(loaded, name):
    """WCAG 1.4.10: at 320 CSS px nothing but code and tables scrolls sideways."""
    page, _, _ = loaded(name)
    assert a11y.reflow(page, name) == []


# Controls a reader must reach by keyboard (when the page has them): search, the launch and
# download menus, the solutions' toggles, the explorer's slider.
NAMED_CONTROLS = {
    "search": ".search-button-field",
    "launch menu": ".dropdown-launch-buttons > button",
    "download menu": ".dropdown-download-buttons > button",
    "solution toggle": ".solution button.toggle-button, .tag_solution summary",
    "explorer slider": "#loss-explorer input[type=range]",
}


@pytest.mark.parametrize("name", browsed(SITE_PAGES))
def test_tab_reaches_every_control_with_a_visible_focus(loaded, name):
    """Tab from the top reaches every control shown, each with a focus indicator, and focus
    leaves the page at the end (no trap; tab_walk fails on one)."""
    page, _, _ = loaded(name)
    missed, unseen = a11y.tab_walk(page)
    assert missed == [], f"{name}: Tab never reaches {missed}"
    assert unseen == [], f"{name}: no visible focus on {unseen}"
    reached = page.evaluate(
        "(named) => Object.fromEntries(Object.entries(named).map(([k, selector]) => {"
        " const all = [...document.querySelectorAll(selector)].filter(el => el.checkVisibility());"
        " return [k, [all.length, all.filter(el => window.__visited.includes(el)).length]]; }))",
        NAMED_CONTROLS,
    )
    assert all(found == reached for found, reached in reached.values()), reached
    assert reached["search"][0] >= 1
    assert reached["download menu"][0] == (name in pages())  # not on search and genindex
    if name in chapters():
        assert reached["launch menu"][0] == 1 and reached["solution toggle"][0] > 0
    if name == "book/03-losses":
        assert reached["explorer slider"] == [1, 1]
