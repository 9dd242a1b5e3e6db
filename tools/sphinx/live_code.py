"""Sphinx extension: Live Code (thebe) served from the site itself, never from a CDN.

Where `launch_buttons.thebe` is on (the student edition: tools/student/student_edition.py),
sphinx-book-theme's launch menu offers "Live Code" on every chapter: thebe starts a kernel on
the Binder of the student repository at the semester's tag (the Binder button's target, by
`repository:`), and the code cells become editable and runnable on the page. The instructor
edition keeps it off: its sources and solutions are private, and Binder cannot build a
private repository.

sphinx-thebe points thebe at unpkg; here the page loads thebe 0.9.3 from `_static/thebe/`
(vendored in tools/sphinx/thebe/, see its README), and its stylesheet on the first click only.
A second thebe configuration after sphinx-thebe's names the kernel as thebe 0.9 reads it and
the chapter's notebook (so the kernel starts in book/, as Binder opens it), keeps the editor
light as the page's code is, and switches off thebe's MathJax 2, which would come from a CDN.
"""

import json
import shutil
from pathlib import Path

from docutils import nodes

VENDORED = Path(__file__).parent / "thebe"
FOLDER = "_static/thebe"
# sphinx-thebe's inline script (const THEBE_JS_URL = "https://unpkg.com/...", and selectors)
THEBE_URL = "const THEBE_JS_URL = "
# Live Code's button runs this instead of the theme's initThebeSBT() and sphinx-thebe's
# initThebe(), which call thebe 0.9's bootstrap() bare: it then connects to Binder and starts
# no kernel (it reads `requestKernel` from its argument only). The same steps otherwise: the
# status button after the title, thebe's script, sphinx-thebe's configureThebe() and
# modifyDOMForThebe(), and an output placeholder for each cell that has no output; then a name
# for each editor's text box, which CodeMirror leaves unlabelled; and thebe's stylesheet first
# (it restyles every `pre`, so not before a reader asks for it).
LAUNCH = """function dlbookLiveCode() {
  if (window.dlbookLiveCodeStarted) return;  // one kernel per page
  window.dlbookLiveCodeStarted = true;
  const folder = THEBE_JS_URL.replace(/index\\.js$/, "");
  if (!document.getElementById("dlbook-thebe-css")) {
    document.head.appendChild(Object.assign(document.createElement("link"),
      {id: "dlbook-thebe-css", rel: "stylesheet", href: folder + "thebe.css"}));
  }
  const title = document.querySelector("section h1");
  if (!title.nextElementSibling.classList.contains("thebe-launch-button")) {
    title.insertAdjacentHTML("afterend", "<button class='thebe-launch-button'></button>");
  }
  const start = () => {
    configureThebe();
    modifyDOMForThebe();
    // thebe pairs the n-th cell with the n-th output: give a cell without one its own
    document.querySelectorAll(thebe_selector).forEach((cell) => {
      const source = cell.querySelector("[data-executable]");
      if (source && !cell.querySelector("[data-output]")) {
        source.insertAdjacentHTML("afterend", "<div class='cell_output' data-output></div>");
      }
    });
    thebelab.bootstrap({requestKernel: true});  // draws the editors before it awaits
    document.querySelectorAll(".thebe-cell textarea").forEach((input, index) =>
      input.setAttribute("aria-label", `Code cell ${index + 1}: edit, then Shift+Enter to run`));
  };
  if (typeof thebelab !== "undefined") return start();
  const script = Object.assign(document.createElement("script"), {src: THEBE_JS_URL});
  script.addEventListener("load", start);
  document.head.appendChild(script);
}"""


def live(app) -> bool:
    options = app.config.html_theme_options or {}
    return bool((options.get("launch_buttons") or {}).get("thebe"))


def local_thebe(app, pagename, templatename, context, doctree) -> None:
    """sphinx-thebe's script, with thebe's address in this site, once (a chapter's page had it
    twice: the second `const` a SyntaxError); on a page with Live Code, our launch."""
    scripts = context.get("script_files", [])
    ours = [i for i, s in enumerate(scripts) if s.attributes.get("body", "").startswith(THEBE_URL)]
    for index in reversed(ours[1:]):
        del scripts[index]
    if ours:
        script = scripts[ours[0]]
        url = json.dumps(context["pathto"](f"{FOLDER}/index.js", 1))
        rest = script.attributes["body"].split(";", 1)[1]
        launch = f";\n{LAUNCH}" if context.get("use_thebe") else ""
        attributes = {**script.attributes, "body": f"{THEBE_URL}{url};{rest}{launch}"}
        scripts[ours[0]] = type(script)(script.filename, priority=script.priority, **attributes)
    if not context.get("use_thebe"):
        return
    for group in context.get("header_buttons", []):
        for button in group.get("buttons", []):
            if button.get("label") == "launch-thebe":
                button["javascript"] = "dlbookLiveCode()"


def kernel_config(app, doctree, docname) -> None:
    """After sphinx-thebe's configuration (thebe merges them in page order): the kernel by the
    name thebe 0.9 reads, started beside the chapter's notebook; no MathJax from a CDN."""
    if not live(app):
        return
    kernelspec = app.env.metadata.get(docname, {}).get("kernelspec") or {}
    if isinstance(kernelspec, str):
        kernelspec = json.loads(kernelspec)
    config = {
        "kernelOptions": {
            "kernelName": kernelspec.get("name", "python3"),
            "path": f"{docname}.ipynb",
        },
        # light, as the page's code (not abcdef); long lines wrap, as the page's code does on a
        # phone, instead of a box that scrolls sideways without a tab stop
        "codeMirrorConfig": {"theme": "default", "lineWrapping": True},
        "mathjaxUrl": False,
    }
    script = f'<script type="text/x-thebe-config">{json.dumps(config)}</script>'
    doctree.append(nodes.raw(text=script, format="html"))


def copy_thebe(app, exc) -> None:
    if exc is not None or app.builder.format != "html":
        return
    target = Path(app.outdir) / FOLDER
    shutil.rmtree(target, ignore_errors=True)  # an edition without Live Code serves none
    if live(app):
        shutil.copytree(VENDORED, target, ignore=shutil.ignore_patterns("README.md"))


def setup(app):
    # after sphinx-book-theme's launch buttons (501) and sphinx-thebe's configuration (500)
    app.connect("html-page-context", local_thebe, priority=510)
    app.connect("doctree-resolved", kernel_config, priority=510)
    app.connect("build-finished", copy_thebe)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
