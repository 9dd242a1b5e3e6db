"""The PDF build's settings for Sphinx's LaTeX writer: the edition's _config.yml with the
LaTeX engine, paper, fonts and preamble, and execution only from the book's cache
(tools/pdf/build_pdf.py writes it beside the edition's LaTeX output)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


# xurl breaks URLs anywhere; \sloppy lets a paragraph stretch its spaces rather than push a
# long word (a code name) past the margin. Sphinx gathers the entries at the end, after the
# bibliography page's introduction: "References". The cell environments that
# sphinx-jupyterbook-latex writes, as its jupyterBook.cls defines them (tools/sphinx/pdf.py says why
# we use Sphinx's own class).
PREAMBLE = r"""
\usepackage{xurl}
\sloppy
\addto\captionsenglish{\renewcommand{\bibname}{References}}
\usepackage[strict]{changepage}
\definecolor{CodeBlockInputBorderColor}{RGB}{204,204,204}
\definecolor{CodeBlockInputColor}{RGB}{247,247,247}
\definecolor{CodeBlockOutputBorderColor}{RGB}{247,247,247}
\definecolor{CodeBlockOutputColor}{RGB}{252,252,252}
\newenvironment{sphinxVerbatimInput}
  {\colorlet{VerbatimBorderColor}{CodeBlockInputBorderColor}%
   \colorlet{VerbatimColor}{CodeBlockInputColor}}{}
\newenvironment{sphinxVerbatimOutput}
  {\colorlet{VerbatimBorderColor}{CodeBlockOutputBorderColor}%
   \colorlet{VerbatimColor}{CodeBlockOutputColor}%
   \begin{adjustwidth}{12pt}{}}
  {\end{adjustwidth}}
"""


# Sphinx's FreeSerif and FreeSans; code in DejaVu Sans Mono, which has the sub- and superscript
# letters the code's comments use (FreeMono's oblique lacks ᵢ, ⱼ, ₖ, ᵀ: they would not print).
FONTS = r"""
\setmainfont{FreeSerif}[Extension=.otf, UprightFont=*, ItalicFont=*Italic,
  BoldFont=*Bold, BoldItalicFont=*BoldItalic]
\setsansfont{FreeSans}[Extension=.otf, UprightFont=*, ItalicFont=*Oblique,
  BoldFont=*Bold, BoldItalicFont=*BoldOblique]
\setmonofont{DejaVu Sans Mono}[Scale=0.9]
"""


def pdf_config(source: Path, edition: str, cache: Path | None) -> str:
    """The edition's _config.yml with the LaTeX settings; execution only from the cache."""
    config = yaml.safe_load((source / "_config.yml").read_text())
    execute = config.setdefault("execute", {})
    if cache is not None:
        execute.update(execute_notebooks="cache", cache=str(cache))
    else:
        execute["execute_notebooks"] = "off"
    sphinx = config.setdefault("sphinx", {})
    # The config file lives outside the source folder: name the extensions' folder absolutely.
    extensions = {name: str(ROOT) for name in sphinx.get("local_extensions") or {}}
    sphinx["local_extensions"] = {**extensions, "tools.sphinx.pdf": str(ROOT)}
    config["latex"] = {
        "latex_engine": "xelatex",
        "use_jupyterbook_latex": True,
        "latex_documents": {"targetname": "foundations.tex"},
    }
    sphinx.setdefault("config", {}).update(
        dlbook_edition=edition,
        latex_use_xindy=False,
        latex_domain_indices=False,
        latex_show_urls="no",
        # Figures and equations numbered through the book, as on the site (Fig. 3, (11)).
        numfig_secnum_depth=0,
        latex_elements={
            "papersize": "letterpaper",
            "pointsize": "10pt",
            "fontpkg": FONTS,
            "printindex": "",
            # Long code and output lines wrap at the margin, even without a break point.
            "sphinxsetup": "verbatimwrapslines=true, verbatimforcewraps=true, "
            "verbatimmaxunderfull=2",
            "preamble": PREAMBLE,
        },
    )
    return yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
