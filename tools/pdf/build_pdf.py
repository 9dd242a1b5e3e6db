"""Typeset the book as a PDF per edition: _build/pdf/foundations.pdf (instructor, with solutions)
and _build/pdf/foundations-student.pdf, from the outputs `make book` / `make student` produced.

No chapter executes again: the instructor PDF reads the book's execution cache (and stops if a
chapter would run), the student PDF the student edition's sources, which carry their outputs.
Sphinx's LaTeX writer (Jupyter Book's `--builder latex` with latex_settings.py's settings,
tools/sphinx/pdf.py for the title page and the print form of HTML outputs), then xelatex via
latexmk. A Sphinx warning (a missing figure, an unknown citation), a LaTeX error, an unresolved
reference or a line past the margin stops the build with the page and line (pdf_log.py); the
PDF is written under a temporary name and renamed.
"""

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tools import settings
from tools.book import build_book
from tools.pdf import latex_settings, pdf_log

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "_build" / "pdf"
NAMES = {"instructor": "foundations.pdf", "student": "foundations-student.pdf"}
# Each site's download menu links its edition's PDF beside index.html (tools/sphinx/download.py).
SITES = {
    "instructor": ROOT / "_build" / "html",
    "student": ROOT / "_build" / "student" / "_build" / "html",
}
TOOLS = ("xelatex", "latexmk", "makeindex")


class PdfError(RuntimeError):
    pass


def sources(edition: str) -> tuple[Path, Path | None]:
    """The edition's source folder, and the execution cache it reads (None: outputs inline)."""
    if edition == "student":
        source = ROOT / "_build" / "student" / "src"
        if not (source / "_config.yml").exists():
            raise PdfError("the student edition's sources are missing: run `make student` first")
        return source, None
    stamp = ROOT / "_build" / ".inputs-fingerprint"
    settings.export_course()
    if not stamp.exists() or stamp.read_text() != build_book.current_fingerprint():
        raise PdfError(
            "the book's executed outputs are missing or stale (code/, the lock or the model "
            "setting changed): run `make book` first"
        )
    return ROOT, ROOT / "_build" / ".jupyter_cache"


def outputs_stamp(cache: Path | None) -> str:
    """What the instructor's outputs are: the cache's records. Sphinx re-reads a page when its
    source changes, not when the cache does (make book re-executed it): then drop the doctrees."""
    from jupyter_cache import get_cache

    if cache is None:  # the student's sources carry their outputs: Sphinx sees them change
        return ""
    records = get_cache(cache).list_cache_records()
    return "\n".join(sorted(f"{r.pk} {r.hashkey} {r.created}" for r in records))


def run_sphinx(source: Path, edition: str, cache: Path | None, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    stamp, current = out / ".outputs-stamp", outputs_stamp(cache)
    if not stamp.exists() or stamp.read_text() != current:
        shutil.rmtree(out / "_build" / ".doctrees", ignore_errors=True)
    config = out / "_config.yml"
    config.write_text(latex_settings.pdf_config(source, edition, cache))
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    command = [str(jupyter_book), "build", str(source), "--builder", "latex", "-W", "-n"]
    command += ["--config", str(config), "--path-output", str(out)]
    log = out / "sphinx.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with log.open("w") as sink:
        process = subprocess.Popen(
            command,
            cwd=source,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        for line in process.stdout:
            sink.write(line)
            if "Executing notebook" in line:  # a cache miss: the book is not what was built
                process.kill()
                raise PdfError(f"{edition}: {line.strip()}: run `make book` first")
        failed = process.wait()
    if failed:  # the log is complete once closed
        raise PdfError(f"{edition}: Sphinx's LaTeX build failed: {pdf_log.sphinx_cause(log)}")
    stamp.write_text(current)
    return out / "_build" / "latex"


def run_latex(latex: Path, edition: str) -> Path:
    tex = latex / "foundations.tex"
    # Sphinx's latexmkrc runs xelatex for -pdf, with $LATEXOPTS; -halt-on-error: the first
    # error stops it, and pdf_log names its page and line.
    options = "-interaction=nonstopmode -halt-on-error -file-line-error"
    result = subprocess.run(
        ["latexmk", "-pdf", "-dvi-", "-ps-", "-silent", tex.name],
        cwd=latex,
        capture_output=True,
        text=True,
        env={**os.environ, "LATEXOPTS": options},
    )
    log = tex.with_suffix(".log")
    problems = pdf_log.problems(log.read_text(errors="replace"), tex) if log.exists() else []
    if result.returncode or problems:
        detail = "\n".join(problems) or result.stdout[-2000:] + result.stderr[-2000:]
        raise PdfError(f"{edition}: xelatex ({log}):\n{detail}")
    return tex.with_suffix(".pdf")


def build(edition: str, output: Path = OUTPUT) -> Path:
    final = output / NAMES[edition]
    for stale in (final, SITES[edition] / NAMES[edition]):
        stale.unlink(missing_ok=True)  # a failed build leaves no PDF that looks current
    start = time.perf_counter()
    source, cache = sources(edition)
    latex = run_sphinx(source, edition, cache, output / edition)
    pdf = run_latex(latex, edition)
    for target in (final, SITES[edition] / NAMES[edition]):
        if target.parent.is_dir():
            partial = target.with_name(target.name + ".part")
            shutil.copyfile(pdf, partial)
            partial.replace(target)
    size = final.stat().st_size / 2**20
    seconds = time.perf_counter() - start
    print(f"build_pdf: {final.relative_to(ROOT)} ({size:.1f} MB, {seconds:.0f} s)")
    return final


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("editions", nargs="*", help="instructor, student (default: both)")
    args = parser.parse_args()
    args.editions = args.editions or sorted(NAMES)
    if set(args.editions) - set(NAMES):
        parser.error(f"editions are {', '.join(sorted(NAMES))}, not {args.editions}")
    if missing_tools():
        sys.exit(
            f"build_pdf: {', '.join(missing_tools())} not found: run tools/pdf/install_tex.sh, "
            "which names the Debian packages (TeX Live with xetex and latex-extra, latexmk, "
            "GNU FreeFont, DejaVu, poppler-utils)"
        )
    settings.export_course()  # once, before the threads share the environment
    # The editions typeset side by side: xelatex uses one core.
    with concurrent.futures.ThreadPoolExecutor(len(args.editions)) as pool:
        futures = [pool.submit(build, edition) for edition in args.editions]
    errors = [str(f.exception()) for f in futures if isinstance(f.exception(), PdfError)]
    for future in futures:
        if future.exception() and not isinstance(future.exception(), PdfError):
            raise future.exception()
    if errors:
        sys.exit("\n".join(f"build_pdf: {error}" for error in errors))


if __name__ == "__main__":
    main()
