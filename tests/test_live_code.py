"""Live Code (thebe, tools/sphinx/live_code.py): on the student site's chapters only, aimed at
the student repository's Binder at the semester's tag, served from the site, and running.

The running test starts a real Jupyter server on 127.0.0.1 with a token, in the published
student tree as Binder would run it (the tree's code on the path as binder/requirements.txt's
`-e .` puts it, binder/start's settings; the packages are the repository venv's, the lock that
binder/requirements.txt is written from), points the page's thebe at it instead of Binder (the
test's own setting, added to the page by the browser: the site has no such mode), clicks Live
Code on chapter 1, runs a cell, edits another and reads its new output on the page.
"""

import json
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from bs4 import BeautifulSoup

import a11y
from helpers import EDITIONS, ROOT, chapters, serve_folder
from tools import settings

pytestmark = [
    pytest.mark.book,  # needs the built book or builds one: not in the fast loop
    pytest.mark.environment,  # a browser and a Jupyter server started with this environment
]

STUDENT, INSTRUCTOR = EDITIONS["student"], EDITIONS["instructor"]
VENDORED = ROOT / "tools" / "sphinx" / "thebe"
TREE = ROOT / "_build" / "publish"
THEBE_URL = re.compile(r'const THEBE_JS_URL = "([^"]*)"')


def soup(site, name) -> BeautifulSoup:
    path = site / f"{name}.html"
    if not path.exists():
        pytest.skip(f"{path} is not built (make test builds it)")
    return BeautifulSoup(path.read_text(), "html.parser")


def thebe_configs(page: BeautifulSoup) -> list[str]:
    return [tag.string for tag in page.find_all("script", type="text/x-thebe-config")]


@pytest.mark.parametrize("name", chapters())
def test_student_chapters_launch_live_code_on_the_semesters_binder(name):
    course = settings.course()
    page = soup(STUDENT, name)
    button = page.select_one(".dropdown-launch-buttons button.btn-launch-thebe")
    assert button is not None and button["onclick"] == "dlbookLiveCode()"
    # sphinx-thebe's configuration: the Binder button's repository and tag
    sphinx_thebe, ours = thebe_configs(page)
    assert f'repo: "{course.student_slug}"' in sphinx_thebe
    assert f'ref: "{course.student_tag}"' in sphinx_thebe
    # ours, after it: the kernel beside the notebook Binder opens, no MathJax from a CDN
    assert json.loads(ours) == {
        "kernelOptions": {"kernelName": "python3", "path": f"{name}.ipynb"},
        "codeMirrorConfig": {"theme": "default", "lineWrapping": True},
        "mathjaxUrl": False,
    }
    binder = f"mybinder.org/v2/gh/{course.student_slug}/{course.student_tag}?"
    assert any(binder in a["href"] for a in page.select(".dropdown-launch-buttons a"))
    url = THEBE_URL.search(str(page)).group(1)
    assert url == "../_static/thebe/index.js" and (STUDENT / "_static/thebe/index.js").exists()


@pytest.mark.parametrize("name", chapters())
def test_instructor_chapters_have_no_live_code(name):
    """Binder cannot build the private source repository (README, "Two editions")."""
    page = soup(INSTRUCTOR, name)
    assert page.select(".btn-launch-thebe") == []
    assert not (INSTRUCTOR / "_static" / "thebe").exists()


@pytest.mark.parametrize("edition", ["instructor", "student"])
def test_no_page_names_thebes_cdn(edition):
    pages = list(EDITIONS[edition].rglob("*.html"))
    if not pages:
        pytest.skip(f"{EDITIONS[edition]} is not built")
    assert [p.name for p in pages if "unpkg.com" in p.read_text()] == []


def test_the_site_serves_the_vendored_thebe_and_no_other_cdn():
    served = STUDENT / "_static" / "thebe"
    if not served.exists():
        pytest.skip(f"{STUDENT} is not built")
    vendored = {p.name for p in VENDORED.iterdir()} - {"README.md"}
    assert {p.name for p in served.iterdir()} == vendored
    assert all((served / n).read_bytes() == (VENDORED / n).read_bytes() for n in vendored)
    index = (served / "index.js").read_text()
    assert (
        'fetch(__webpack_require__.p+"require.js")' in index and "sourceMappingURL=i" not in index
    )
    # what stays in the bundle, never requested here (tools/sphinx/thebe/README.md says why)
    cdns = re.compile(r"https://(?:cdn\.|cdnjs\.|unpkg\.)[\w./@-]+")
    found = {url for path in served.glob("*.js") for url in cdns.findall(path.read_text())}
    assert found == {
        "https://cdn.jsdelivr.net/npm/",
        "https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.5/MathJax.js",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def jupyter_server(tmp_path_factory):
    """A Jupyter server on 127.0.0.1 in a copy of the published tree, with a token, for pages
    served from 127.0.0.1 (thebe calls it from the page's origin)."""
    if not (TREE / "binder" / "start").exists():
        pytest.skip("no published tree in _build/publish: run `make publish` (make test does)")
    base = tmp_path_factory.mktemp("binder")
    tree = base / "student-repository"
    shutil.copytree(TREE, tree, ignore=shutil.ignore_patterns("docs"))  # the site is not run
    token, port = secrets.token_hex(16), free_port()
    env = {
        "PATH": f"{sys.prefix}/bin:/usr/bin:/bin",
        "HOME": str(base),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "PYTHONPATH": str(tree / "code"),  # Binder's `-e .`
    }
    command = [
        tree / "binder" / "start", sys.executable, "-m", "jupyter_server",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        "--ServerApp.allow_root=True",  # CI runs as root
        f"--ServerApp.root_dir={tree}", f"--IdentityProvider.token={token}",
        r"--ServerApp.allow_origin_pat=http://127\.0\.0\.1:\d+", "--ServerApp.open_browser=False",
    ]  # fmt: skip
    log = (base / "server.log").open("w")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(
                    f"the Jupyter server did not start:\n{(base / 'server.log').read_text()}"
                )
            time.sleep(0.5)
    yield {"url": url, "token": token, "log": base / "server.log"}
    server.terminate()
    server.wait(timeout=30)
    log.close()


# The test's setting, added by the browser before the page's scripts run: thebe's bootstrap
# takes the test's Jupyter server instead of Binder (bootstrap() forces useBinder: true over the
# page's configuration, so the override wraps it when thebe's script defines it).
ON_LOCAL_SERVER = """(settings) => {
  Object.defineProperty(window, "thebelab", {configurable: true, get: () => undefined,
    set(thebe) {
      const bootstrap = thebe.bootstrap;
      thebe.bootstrap = (options) =>
        bootstrap({...options, useBinder: false, serverSettings: settings});
      Object.defineProperty(window, "thebelab", {value: thebe, writable: true});
    }});
}"""
STDOUT = '[data-mime-type="application/vnd.jupyter.stdout"]'


def test_live_code_runs_and_edits_chapter_1_on_a_jupyter_server(browser, jupyter_server):
    if not (STUDENT / "index.html").exists():
        pytest.skip(f"{STUDENT} is not built (make test builds it)")
    server = jupyter_server["url"]
    settings_js = {
        "baseUrl": server,
        "wsUrl": server.replace("http", "ws"),
        "token": jupyter_server["token"],
        "appendToken": True,
    }
    with serve_folder(STUDENT) as site:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        requests, failures = [], []
        page.on("request", lambda request: requests.append(request.url))
        page.on("websocket", lambda ws: requests.append(ws.url))
        page.on("requestfailed", lambda request: failures.append(request.url))
        page.on("response", lambda r: r.status >= 400 and failures.append(f"{r.status} {r.url}"))
        page.add_init_script(f"({ON_LOCAL_SERVER})({json.dumps(settings_js)})")
        page.goto(f"{site}/{chapters()[0]}.html", wait_until="networkidle")
        cells = page.locator("div.cell")
        imports = cells.nth(0).locator(".cell_output").inner_text().strip()
        printed = cells.nth(1).locator(".cell_output").inner_text().strip().splitlines()
        assert len(printed) == 6, printed  # p0 and its five derivatives, as the build ran it

        page.locator(".dropdown-launch-buttons > button").click()
        page.locator("button.btn-launch-thebe").click()
        page.wait_for_function(
            "() => window.thebe && thebe.session && thebe.session.kernel"
            " && thebe.session.kernel.connectionStatus === 'connected'",
            timeout=120_000,
        )
        assert page.locator(".thebe-cell").count() >= 6
        # thebe's n-th cell writes to the n-th output (the launch gives each cell its own)
        editors, outputs = page.locator(".thebe-cell"), page.locator("[data-output]")
        assert outputs.count() == editors.count()
        # The first cell as it is: imports dlbook from the tree, prints p0.
        editors.nth(0).locator(".thebe-run-button").click()
        first = outputs.nth(0).locator(STDOUT)  # the kernel's stream, not the page's copy
        first.first.wait_for(timeout=60_000)
        assert first.inner_text().strip() == imports
        # The second, edited as a reader edits it: two derivatives instead of six.
        editors.nth(1).locator(".CodeMirror").click()
        page.keyboard.press("Control+A")
        page.keyboard.type("for order in range(2):\n")
        page.keyboard.type('print(f"p{order}(x) = {format_polynomial(power_rule(c0, order))}")')
        page.keyboard.press("Shift+Enter")
        second = outputs.nth(1).locator(STDOUT)
        second.first.wait_for(timeout=60_000)
        assert second.inner_text().strip().splitlines() == printed[:2]
        # the live page as axe-core sees it: editors named, line numbers readable, no box that
        # scrolls without a tab stop (the static page: test_accessibility.py). axe's own fetch
        # of the theme's @import "../basic.css" goes to the wrong folder: not the page's.
        loaded = list(failures)
        found = a11y.violations(page, f"{chapters()[0]} with Live Code")
        assert not found, "\n".join(found)
        page.close()
    local = (site, server, server.replace("http", "ws"), "data:")
    assert [url for url in requests if not url.startswith(local)] == []
    assert loaded == [], jupyter_server["log"].read_text()[-2000:]
    assert any("/_static/thebe/index.js" in url for url in requests)
