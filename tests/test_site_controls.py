"""What readers of a Jupyter Book expect on the page: issue and edit buttons (from _config.yml's
course block and `repository:`), the student site's version switcher (tools/sphinx/editions.py),
the execution statistics (book/execution.md, tools/sphinx/execution.py), and every new control
reached and operated by keys alone. (Live Code: test_live_code.py; the editions archive:
test_archive.py; axe-core covers every page of both sites in test_browser.py and
test_accessibility.py.)"""

import json
from datetime import datetime

import pytest
from bs4 import BeautifulSoup

import a11y
from helpers import EDITIONS, ROOT, chapters, open_page, pages, serve_folder
from tools import settings

pytestmark = [
    pytest.mark.book,  # needs the built book or builds one: not in the fast loop
    pytest.mark.environment,  # a browser started with this environment
]


def soup(edition: str, name: str) -> BeautifulSoup:
    path = EDITIONS[edition] / f"{name}.html"
    if not path.exists():
        pytest.skip(f"{path} is not built (make test builds it)")
    return BeautifulSoup(path.read_text(), "html.parser")


def hrefs(page: BeautifulSoup, label: str) -> list[str]:
    return [a["href"] for a in page.select(f"a.btn-{label}")]


@pytest.mark.parametrize("name", pages())
def test_issue_and_edit_buttons_point_where_the_course_block_says(name, config):
    course, source = settings.course(), config["repository"]
    title = f"Issue%20on%20page%20%2F{name}.html"
    instructor, student = soup("instructor", name), soup("student", name)
    assert hrefs(instructor, "source-issues-button") == [
        f"{source['url']}/issues/new?title={title}&body=Your%20issue%20content%20here."
    ]
    assert hrefs(student, "source-issues-button") == [
        f"{course.student_repository}/issues/new?title={title}&body=Your%20issue%20content%20here."
    ]
    # the instructor edition edits the page's MyST source; the student edition's are private
    edit = f"{source['url']}/edit/{source['branch']}/{source['path_to_book']}{name}.md"
    assert hrefs(instructor, "source-edit-button") == [edit] and (ROOT / f"{name}.md").exists()
    assert hrefs(student, "source-edit-button") == []


def test_the_student_site_lists_its_edition_and_the_instructor_site_has_no_switcher():
    course = settings.course()
    for name in pages():
        student = soup("student", name)
        assert student.select("nav[aria-label=Editions] .version-switcher__button"), name
        assert f"theme_switcher_version_match = '{course.student_tag}'" in str(student)
        assert not soup("instructor", name).select(".version-switcher__button"), name
    listed = json.loads((EDITIONS["student"] / "switcher.json").read_text())
    assert listed == [
        {
            "name": course.semester,
            "version": course.student_tag,
            "url": f"{course.student_site}{course.student_tag}/",
            "preferred": True,
        }
    ]
    assert not (EDITIONS["instructor"] / "switcher.json").exists()


def execution_rows(edition: str) -> dict[str, list[str]]:
    table = soup(edition, "book/execution").select_one("article table")
    rows = [
        [cell.get_text(strip=True) for cell in row.select("td")] for row in table.select("tbody tr")
    ]
    return {row[0]: row[1:] for row in rows}


def test_the_execution_statistics_list_every_chapter_in_both_editions():
    """Document, Modified, Method, Run Time (s), Status: myst-nb's nb-exec-table. The student
    edition shows the instructor build's runs, as that build's cache recorded them."""
    instructor, student = execution_rows("instructor"), execution_rows("student")
    assert sorted(instructor) == sorted(student) == chapters()
    for name in chapters():
        modified, method, runtime, status = instructor[name]
        assert method in ("executed", "cache") and status == "✅" and float(runtime) > 0
        s_modified, s_method, s_runtime, s_status = student[name]
        assert (s_method, s_runtime, s_status) == ("cache", runtime, "✅")
        gap = datetime.fromisoformat(s_modified) - datetime.fromisoformat(modified)
        assert abs(gap.total_seconds()) <= 60, (name, modified, s_modified)
    # a page, not a chapter: no notebook of its own, so its times are never nbval references
    assert not (ROOT / "book" / "execution.ipynb").exists() and "book/execution" not in chapters()
    assert not (ROOT / "_build" / "publish" / "book" / "execution.ipynb").exists()


def focused(page) -> str:
    return page.evaluate("document.activeElement.outerHTML.slice(0, 200)")


def arrow_to(page, selector: str, limit: int = 8) -> bool:
    """Down the open menu with the arrow key until `selector` has focus."""
    for _ in range(limit):
        page.keyboard.press("ArrowDown")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return True
    return False


MENU_ITEMS = {  # edition: [(menu button, item reached by arrows)]
    "student": [
        (".version-switcher__button", ".version-switcher__menu .dropdown-item"),
        (".dropdown-launch-buttons > button", ".btn-launch-thebe"),
        (".dropdown-source-buttons > button", ".btn-source-issues-button"),
    ],
    "instructor": [
        (".dropdown-source-buttons > button", ".btn-source-edit-button"),
        (".dropdown-source-buttons > button", ".btn-source-issues-button"),
    ],
}


@pytest.mark.parametrize("edition", ["student", "instructor"])
def test_tab_reaches_the_new_controls_and_keys_open_them(browser, edition):
    if not (EDITIONS[edition] / "index.html").exists():
        pytest.skip(f"{EDITIONS[edition]} is not built (make test builds it)")
    with serve_folder(EDITIONS[edition]) as url:
        page, _, failures = open_page(browser, f"{url}/{chapters()[0]}.html")
        page.wait_for_function("document.querySelectorAll('.version-switcher__menu a').length"
                               f" > 0 || {json.dumps(edition == 'instructor')}")  # fmt: skip
        missed, unseen = a11y.tab_walk(page)
        assert missed == [] and unseen == [], (missed, unseen)
        visited = page.evaluate(
            "(selectors) => selectors.map(s => window.__visited.some(el => el.matches(s)))",
            [button for button, _ in MENU_ITEMS[edition]],
        )
        assert all(visited), visited
        for button, item in MENU_ITEMS[edition]:
            page.locator(
                f".bd-sidebar-primary {button}, .article-header-buttons {button}"
            ).first.focus()
            page.keyboard.press("Enter")
            assert arrow_to(page, item), (
                f"{edition}: {item} not reached from {button}: {focused(page)}"
            )
            page.keyboard.press("Escape")
        if edition == "student":
            switcher = page.locator(".bd-sidebar-primary .version-switcher__button")
            assert switcher.inner_text() == settings.course().semester
        page.close()
    assert failures == []
