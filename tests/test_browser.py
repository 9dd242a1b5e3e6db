"""The built book in a real headless browser (Debian's chromium, driven by Playwright)."""

import shutil

import pytest

from helpers import chapters, pages, serve_folder

pytestmark = pytest.mark.book  # needs the built book or builds one: not in the fast loop

CHROMIUM = shutil.which("chromium")
# Flags for a closed network: no background services calling home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def site(html_dir):
    with serve_folder(html_dir) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip(
            "Debian's chromium is not installed (make test installs it: tools/install_chromium.sh)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, url):
    # 1280 px: a laptop screen, the width the code column is sized for.
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    requests, failures = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: failures.append(request.url))
    # A missing file is no failed request to the browser: an answer, 404.
    page.on("response", lambda r: r.status >= 400 and failures.append(f"{r.status} {r.url}"))
    page.goto(url, wait_until="networkidle")
    return page, requests, failures


@pytest.fixture(scope="module")
def loaded(browser, site):
    """Each page loaded once for every check that only reads it (a load takes seconds)."""
    pages_by_name = {}

    def load(name):
        if name not in pages_by_name:
            pages_by_name[name] = open_page(browser, f"{site}/{name}.html")
        return pages_by_name[name]

    yield load
    for page, _, _ in pages_by_name.values():
        page.close()


@pytest.mark.parametrize("name", pages())
def test_page_requests_stay_local_and_succeed(loaded, site, html_dir, name):
    page, requests, failures = loaded(name)
    assert [url for url in requests if not url.startswith((site, "data:"))] == []
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


@pytest.mark.parametrize("name", pages())
def test_every_image_loads_and_has_alt_text(loaded, name):
    page, _, _ = loaded(name)
    images = page.evaluate(
        "[...document.querySelectorAll('article img')].map("
        "img => ({src: img.src.slice(0, 80), width: img.naturalWidth, alt: img.alt}))"
    )
    for image in images:
        assert image["width"] > 0, f"{image['src']} did not load"
        assert image["alt"].strip(), f"{image['src']} has no alt text"


@pytest.mark.parametrize("name", chapters())
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


@pytest.mark.parametrize("name", chapters())
def test_code_and_output_fit_a_laptop_screen(loaded, name):
    """At 1280 px wide nothing scrolls sideways: each block's content fits its box."""
    page, _, _ = loaded(name)
    count = page.locator(CODE_BLOCKS).count()
    too_wide = page.evaluate(WIDER_THAN_THEIR_BOX, CODE_BLOCKS)
    assert count > 0
    longest = "\n".join(too_wide)
    assert not too_wide, f"{len(too_wide)} of {count} blocks scroll sideways:\n{longest}"
