"""make pdf's diagnosis of a failed or flawed xelatex run (tools/pdf/pdf_log.py) and of a failed
Sphinx run (pdf_log.sphinx_cause): each names the book page and the line."""

from tools.pdf import pdf_log

TEX = r"""\chapter{The softmax}
\label{\detokenize{book/02-softmax::doc}}
Some text.
\nosuchmacro
\label{\detokenize{book/03-losses:section}}
A very long line of text.
See \ref{missing}.
"""


def test_a_latex_error_names_the_page_and_line(tmp_path):
    tex = tmp_path / "foundations.tex"
    tex.write_text(TEX)
    log = "./foundations.tex:4: Undefined control sequence.\n"
    assert pdf_log.problems(log, tex) == [
        r"error: Undefined control sequence. (book/02-softmax, .tex line 4: \nosuchmacro)"
    ]


def test_unresolved_references_and_lines_past_the_margin_are_problems(tmp_path):
    tex = tmp_path / "foundations.tex"
    tex.write_text(TEX)
    log = (
        "LaTeX Warning: Reference `missing' on page 12 undefined on input line 7.\n"
        "Overfull \\hbox (23.5pt too wide) in paragraph at lines 6--6\n"
        "Overfull \\hbox (0.4pt too wide) in paragraph at lines 3--3\n"  # invisible: let pass
    )
    found = pdf_log.problems(log, tex)
    assert len(found) == 2
    assert "unresolved reference 'missing' on PDF page 12 (book/03-losses" in found[0]
    assert found[1].startswith("a line 23.5pt past the margin (book/03-losses, .tex line 6")


def test_a_clean_log_has_no_problem(tmp_path):
    tex = tmp_path / "foundations.tex"
    tex.write_text(TEX)
    assert pdf_log.problems("Output written on foundations.pdf (72 pages).\n", tex) == []


def test_a_failed_sphinx_build_names_the_warning_that_stopped_it(tmp_path):
    log = tmp_path / "sphinx.log"
    log.write_text(
        "reading sources...\n"
        "\x1b[91mWarning, treated as error:\x1b[39;49;00m\n"
        '/book/02-softmax.md:27:could not find bibtex key "nosuchkey"\n'
        "Traceback (most recent call last):\n"
    )
    assert (
        pdf_log.sphinx_cause(log) == '/book/02-softmax.md:27:could not find bibtex key "nosuchkey"'
    )


def test_a_character_the_font_lacks_is_a_problem(tmp_path):
    tex = tmp_path / "foundations.tex"
    tex.write_text(TEX)
    log = "Missing character: There is no ᵢ (U+1D62) in font [FreeMonoOblique.otf]/OT:script=la!\n"
    assert pdf_log.problems(log, tex) == [
        "a character that does not print: ᵢ (U+1D62) is not in [FreeMonoOblique.otf]"
    ]
