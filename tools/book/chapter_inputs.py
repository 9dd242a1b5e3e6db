"""What each chapter reads, fingerprinted per chapter, so that a change re-executes only the
chapters it can change (tools/book/build_book.py drops those chapters' cached outputs).

A chapter reads:
- the dlbook modules its cells import, and the modules those import, transitively (an import
  scan of the package with `ast`; `dlbook/__init__.py` with any of them), plus the package's data
  files (assets/, configs/) that a module of that closure names as a string;
- whatever in code/ is not the package's (code/ruff.toml, ...): counted for every chapter;
- the lock and pyproject.toml (every chapter runs in the locked environment);
- the resolved model setting (model, device, dtype) only when a module of the closure names
  DLBOOK_MODEL or DLBOOK_DEVICE, the resolved image set only when one names DLBOOK_IMAGES
  (read from the text, so a module split off keeps its chapters): a new model id re-executes
  chapters 4-6, not chapter 1.
Its own cells are not hashed here: Jupyter Book's cache keys on them already, so a change of
prose re-executes nothing and a change of code re-executes that chapter.
"""

import ast
import fnmatch
import hashlib
import re
from pathlib import Path

import jupytext

from tools.settings import GENERATED, ROOT

PACKAGE = "dlbook"
ENVIRONMENT = ("requirements.txt", "pyproject.toml")
# The variables a module names when it reads a setting, by the part of
# build_book.resolved_settings() that says what they resolve to.
SETTINGS = {"model": ("DLBOOK_MODEL", "DLBOOK_DEVICE"), "images": ("DLBOOK_IMAGES",)}
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.M | re.S)


def chapters(root: Path = ROOT) -> list[str]:
    """The pages with code cells (book/NN-topic), the ones Jupyter Book executes."""
    pages = sorted((root / "book").glob("*.md"))
    return [f"book/{p.stem}" for p in pages if CELL.search(p.read_text())]


def _generated(path: Path) -> bool:
    return any(fnmatch.fnmatch(part, p) for part in path.parts for p in GENERATED)


def _imports(source: str, module: str = "") -> set[str] | None:
    """The dlbook modules `source` imports (names inside the package: "losses"); None where it
    does not parse (then the chapter counts on the whole package)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative, inside the package
                base = ".".join(filter(None, [PACKAGE, base]))
            # `from dlbook import losses` names a module; `from dlbook.x import f` names x
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == PACKAGE and len(parts) > 1:
                found.add(parts[1])
    return found


def cell_source(page: Path) -> str:
    """The page's code cells as one Python text; IPython's magics and shell lines left out."""
    cells = [c.source for c in jupytext.read(page).cells if c.cell_type == "code"]
    lines = [line for cell in cells for line in cell.splitlines()]
    return "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))


def closure(root: Path, page: Path) -> set[str]:
    """The package's modules (their names: "losses") that the page's cells can run."""
    package = root / "code" / PACKAGE
    every = {p.stem for p in package.glob("*.py")} - {"__init__"}
    todo = _imports(cell_source(page))
    todo = every if todo is None else todo & every
    seen = {"__init__"}  # Python runs the package's __init__ before any of its modules
    while todo:
        name = todo.pop()
        seen.add(name)
        found = _imports((package / f"{name}.py").read_text())
        todo |= (every if found is None else found & every) - seen
    return seen


def _named_strings(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and type(n.value) is str}


def files_read(root: Path, page: Path) -> list[Path]:
    """The files whose content can change the page's outputs (its settings aside)."""
    package = root / "code" / PACKAGE
    modules = closure(root, page)
    named = set().union(*(_named_strings(package / f"{m}.py") for m in modules))
    files = [package / f"{m}.py" for m in modules]
    for path in (root / "code").rglob("*"):
        if not path.is_file() or _generated(path.relative_to(root)) or path.suffix == ".py":
            continue
        inside = path.relative_to(package).parts if path.is_relative_to(package) else None
        # a data file of the package counts where a module of the closure names its folder
        if inside is None or inside[0] in named:
            files.append(path)
    return sorted(files + [root / name for name in ENVIRONMENT])


def settings_read(root: Path, page: Path, resolved: str) -> str:
    """The parts of `resolved` (build_book.resolved_settings(): "model: ...; images: ...") that
    the page's modules read."""
    parts = dict(part.split(": ", 1) for part in resolved.split("; "))
    package = root / "code" / PACKAGE
    texts = [(package / f"{m}.py").read_text() for m in closure(root, page)]
    wanted = [key for key, names in SETTINGS.items() if any(n in t for n in names for t in texts)]
    return "; ".join(f"{key}: {parts[key]}" for key in sorted(wanted))


def fingerprints(root: Path = ROOT, *, settings: str) -> dict[str, str]:
    """Each chapter's fingerprint: the hash of what it reads under `settings`."""
    result, hashed = {}, {}  # each file hashed once, however many chapters read it
    for chapter in chapters(root):
        page = root / f"{chapter}.md"
        digest = hashlib.sha256()
        for file in files_read(root, page):
            if file not in hashed:
                hashed[file] = hashlib.sha256(file.read_bytes()).digest()
            digest.update(str(file.relative_to(root)).encode() + b"\0" + hashed[file])
        digest.update(settings_read(root, page, settings).encode())
        result[chapter] = digest.hexdigest()
    return result
