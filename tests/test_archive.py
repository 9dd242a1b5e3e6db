"""Every semester's student edition stays online (tools/student/archive.py, run by
tools/student/publish_student.sh): two semesters published in a row into a scratch git
repository. The first edition's files come out byte-identical, the switcher lists both, every
link of both editions resolves, and a page of the older edition finds the newer in its switcher.

The first semester is the tree `make publish` wrote; the second is made as an instructor makes
it: in a copy of the repository, `set_repository --tag` and a new semester name, `make
student`'s build of the student site (from the instructor build's cache, executing nothing)
and `make publish`'s tree (with the first semester's PDF: the PDF is not what is tested here).
"""

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from helpers import EDITIONS, ROOT, chapters, pages
from links import broken_links
from tools import settings
from tools.rehearsal.standins import serve
from tools.student.set_repository import set_repository

pytestmark = [
    pytest.mark.book,
    pytest.mark.slow,  # builds a student site (a minute or two)
    pytest.mark.environment,  # git and the site's build start with this environment
]

PUBLISHED = ROOT / "_build" / "publish"
NEXT_TAG, NEXT_SEMESTER = "spring-2027", "Spring 2027"


def run(command, cwd, env=None):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def next_semester(base: Path) -> Path:
    """A copy of the repository at the next semester, with its published tree built."""
    root = base / "next"
    skip = shutil.ignore_patterns(".git", ".venv", "_build", "__pycache__", "*.egg-info")
    shutil.copytree(ROOT, root, ignore=skip)
    (root / ".venv").symlink_to(ROOT / ".venv")
    shutil.copytree(ROOT / "_build" / ".jupyter_cache", root / "_build" / ".jupyter_cache")
    set_repository(tag=NEXT_TAG, root=root)
    config = root / "_config.yml"
    config.write_text(re.sub(r"(?m)^(  semester: )[^#\n]*?( *#|$)", rf"\g<1>{NEXT_SEMESTER}\2",
                             config.read_text(), count=1))  # fmt: skip
    assert settings.course(root).semester == NEXT_SEMESTER
    python = str(root / ".venv" / "bin" / "python")
    env = {**os.environ, **settings.offline()}
    env.pop("DLBOOK_SEMESTER", None)  # the copy's course block says it
    run([python, "-m", "tools.book.build_book", "--edition", "student"], root, env)
    pdf = EDITIONS["student"] / "foundations-student.pdf"
    shutil.copy(pdf, root / "_build" / "student" / "_build" / "html" / pdf.name)
    run([python, "-m", "tools.student.publish"], root, env)
    return root


def publish(root: Path, remote: Path) -> str:
    env = {**os.environ, "STUDENT_REMOTE": str(remote)}
    env.pop("DEPLOY_KEY", None)  # a local repository needs none
    return run(["bash", "tools/student/publish_student.sh", "_build/publish"], root, env)


@pytest.fixture(scope="module")
def two_semesters(tmp_path_factory):
    if not (PUBLISHED / "docs" / "switcher.json").exists():
        pytest.skip("no published tree in _build/publish: run `make publish` (make test does)")
    base = tmp_path_factory.mktemp("archive")
    remote = base / "student.git"
    run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], base)
    first = settings.course().student_tag
    logs = [publish(ROOT, remote)]
    logs.append(publish(next_semester(base), remote))
    clone = base / "clone"
    run(["git", "clone", "-q", str(remote), str(clone)], base)
    return {"clone": clone, "first": first, "logs": logs}


def git(clone: Path, *args: str) -> str:
    return run(["git", *args], clone).strip()


def test_the_first_edition_is_kept_byte_for_byte(two_semesters):
    clone, first = two_semesters["clone"], two_semesters["first"]
    # a git tree's hash covers every file's bytes and name under it
    assert git(clone, "rev-parse", f"HEAD~1:docs/{first}") == git(
        clone, "rev-parse", f"HEAD:docs/{first}"
    )
    changed = git(clone, "diff", "--name-only", "HEAD~1", "HEAD", "--", f"docs/{first}")
    assert changed == ""
    assert git(clone, "tag", "--list") == f"{first}\n{NEXT_TAG}"
    # the first edition as make publish laid it out, file for file
    published = PUBLISHED / "docs" / first
    files = sorted(p.relative_to(published) for p in published.rglob("*") if p.is_file())
    kept = clone / "docs" / first
    assert sorted(p.relative_to(kept) for p in kept.rglob("*") if p.is_file()) == files
    assert all((kept / f).read_bytes() == (published / f).read_bytes() for f in files)


def test_the_switcher_lists_both_newest_first_and_the_root_is_the_newest(two_semesters):
    clone, first = two_semesters["clone"], two_semesters["first"]
    site = settings.course().student_site
    listed = json.loads((clone / "docs" / "switcher.json").read_text())
    assert [(e["version"], e["name"], e["preferred"]) for e in listed] == [
        (NEXT_TAG, NEXT_SEMESTER, True),
        (first, settings.course().semester, False),
    ]
    assert [e["url"] for e in listed] == [f"{site}{NEXT_TAG}/", f"{site}{first}/"]
    newest = clone / "docs" / NEXT_TAG
    for name in pages():
        assert (clone / "docs" / f"{name}.html").read_bytes() == (
            newest / f"{name}.html"
        ).read_bytes()
    assert "(new, also at the root)" in two_semesters["logs"][1]


def test_every_link_of_both_editions_resolves(two_semesters):
    clone = two_semesters["clone"]
    site = settings.course().student_site
    assert broken_links(clone / "docs", site) == []
    listed = json.loads((clone / "docs" / "switcher.json").read_text())
    for entry in listed:  # the switcher's links: each page in each edition
        folder = clone / "docs" / entry["url"].removeprefix(site)
        assert all((folder / f"{name}.html").exists() for name in pages()), entry


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """GitHub Pages: the repository's docs/ at /<repository>/."""

    prefix = ""

    def translate_path(self, path):
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "missing")
        return super().translate_path(path.removeprefix(self.prefix.rstrip("/")))

    def log_message(self, *args):
        pass


def test_an_older_editions_page_switches_to_the_newer(two_semesters, browser):
    clone, first = two_semesters["clone"], two_semesters["first"]
    site = settings.course().student_site
    prefix = urlsplit(site).path  # /<repository>/
    handler = type("Handler", (PagesHandler,), {"prefix": prefix})
    chapter = f"{chapters()[0]}.html"
    with serve.Server(functools.partial(handler, directory=str(clone / "docs"))) as server:
        page = browser.new_page()
        requests, failures = [], []
        page.on("request", lambda request: requests.append(request.url))
        page.on("response", lambda r: r.status >= 400 and failures.append(f"{r.status} {r.url}"))
        shown = {}
        for edition in (first, ""):  # the older edition at its tag; the root, the newest
            page.goto(f"{server.url}{prefix}{edition and edition + '/'}{chapter}")
            button = page.locator(".bd-sidebar-primary .version-switcher__button")
            page.wait_for_function("(b) => b.dataset.activeVersion", arg=button.element_handle())
            links = page.locator(".bd-sidebar-primary .version-switcher__menu a")
            shown[edition] = (button.inner_text(), links.evaluate_all("as => as.map(a => a.href)"))
        page.close()
    assert shown[first] == (
        settings.course().semester,
        [f"{site}{NEXT_TAG}/{chapter}", f"{site}{first}/{chapter}"],
    )
    assert shown[""][0] == NEXT_SEMESTER and shown[""][1] == shown[first][1]
    assert failures == []
    assert all(url.startswith(server.url) for url in requests)
    # both read the site's one list, at the root
    assert requests.count(f"{server.url}{prefix}switcher.json") == 2
