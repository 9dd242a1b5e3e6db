"""What the accessibility tests share: axe-core in a loaded page, the Tab walk, the reflow
check. (Used by test_accessibility.py and test_browser.py; the notebook checks are in
tools/student/notebook_a11y.py, which `make publish` runs too.)"""

from axe_playwright_python.sync_playwright import Axe

# WCAG 2.0 and 2.1, levels A and AA, and axe's best practices (heading order, landmarks, ...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
OPTIONS = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
# Findings in the theme that we cannot fix from our side: (rule, a CSS selector's substring)
# -> why, with the theme's issue. book/accessibility.md lists them too. None at present.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}
WIDTHS = {"laptop": (1280, 800), "phone": (390, 844)}

_axe = Axe()


def settle(page) -> None:
    """Wait until MathJax (where a page loads it) has typeset, and a frame has been laid out."""
    page.evaluate(
        "async () => { if (window.MathJax && MathJax.startup) await MathJax.startup.promise;"
        " await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); }"
    )


def violations(page, where: str) -> list[str]:
    """axe-core's violations on `page` as it is now, one line each: where, rule, element."""
    settle(page)
    found = []
    for rule in _axe.run(page, options=OPTIONS).response["violations"]:
        for node in rule["nodes"]:
            selector = " ".join(str(part) for part in node["target"])
            if any(rule["id"] == r and s in selector for r, s in KNOWN_EXCEPTIONS):
                continue
            summary = node.get("failureSummary", "").replace("\n", " ")
            found.append(f"{where}: {rule['id']} ({rule['impact']}) at {selector}: {summary}")
    return found


def at_widths(page, where: str) -> list[str]:
    """axe at a laptop's width and a phone's; the page is left at the laptop's."""
    found = []
    try:
        for label, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            found += violations(page, f"{where} at {width} px ({label})")
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})
    return found


# Everything that takes keyboard focus and is shown (a closed menu's items are not).
FOCUSABLE = """() => [...document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])')]
    .filter(el => !el.disabled && !el.closest('[inert]')
        && el.checkVisibility({visibilityProperty: true, contentVisibilityAuto: true}))"""
DESCRIBE = """(el) => {
    const text = (el.getAttribute('aria-label') || el.textContent || el.title || '').trim();
    return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}> ${text.slice(0, 40)}`;
}"""
# A focus indicator: an outline or a box shadow drawn while the element has focus.
FOCUS_SHOWN = """() => {
    const el = document.activeElement, style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1;
    return outline || style.boxShadow !== 'none';
}"""


def tab_walk(page, limit: int = 2000) -> tuple[list[str], list[str]]:
    """Press Tab from the top until focus comes back round. Return the controls shown at the
    top that it never reached, and the ones it reached that showed no focus indicator."""
    page.evaluate(f"""() => {{ window.__controls = ({FOCUSABLE})(); window.__visited = [];
        document.activeElement.blur(); window.scrollTo(0, 0); }}""")
    unseen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        repeated, shown, description = page.evaluate(
            f"""() => {{ const el = document.activeElement;
            const repeated = el === document.body || window.__visited.includes(el);
            window.__visited.push(el); return [repeated, ({FOCUS_SHOWN})(), ({DESCRIBE})(el)]; }}"""
        )
        if repeated:
            break  # round again, or out of the page: focus was never trapped
        if not shown:
            unseen.append(description)
    else:
        raise AssertionError(f"focus never came back round in {limit} presses: a keyboard trap")
    missed = page.evaluate(
        f"() => window.__controls.filter(el => !window.__visited.includes(el)).map({DESCRIBE})"
    )
    return missed, unseen


# What makes the page scroll sideways at a narrow width: elements past the viewport's right
# edge, unless a box that may scroll holds them (code, outputs, tables, display math: WCAG
# 1.4.10's two-dimensional content) or they are clipped away unseen (overflow hidden, fixed
# off-canvas panels). Any other box that scrolls sideways counts: the text in it does not reflow.
MAY_SCROLL = (
    "pre, div.highlight, div.output, div.cell_output, table, .table-wrapper, "
    ".pst-scrollable-table-container, mjx-container[display=\\'true\\'], span.math"
)
OVERFLOW = f"""() => {{
    const width = document.documentElement.clientWidth;
    const excused = (el) => {{ for (let p = el.parentElement; p; p = p.parentElement) {{
        const style = getComputedStyle(p);
        if (style.position === 'fixed') return true;
        if (style.display === 'inline') continue;  // overflow does not apply to it
        if (style.overflowX === 'hidden' || style.overflowX === 'clip') return true;
        if (style.overflowX !== 'visible' && p.matches('{MAY_SCROLL}')) return true; }}
        return false; }};
    const over = [...document.body.querySelectorAll('*')].filter(el => {{
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.right > width + 1 && getComputedStyle(el).position !== 'fixed'
            && !excused(el); }})
        .map(el => `<${{el.tagName.toLowerCase()}} class="${{el.getAttribute('class')}}">`
            + ` ends at ${{Math.round(el.getBoundingClientRect().right)}} px`);
    return [document.documentElement.scrollWidth, width, over.slice(0, 5)];
}}"""


def reflow(page, where: str, width: int = 320) -> list[str]:
    """At `width` CSS px: nothing but code and tables may need sideways scrolling."""
    try:
        page.set_viewport_size({"width": width, "height": 640})
        settle(page)
        scroll_width, client_width, over = page.evaluate(OVERFLOW)
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})
    if scroll_width <= client_width + 1 and not over:
        return []
    return [f"{where} at {width} px scrolls sideways ({scroll_width} > {client_width}): {over}"]
