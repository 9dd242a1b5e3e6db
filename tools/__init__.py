"""The tools that build, check and publish the book, one folder per stage:

    book/       the book: the build fingerprinted per chapter (build_book, chapter_inputs), the
                semester build that book.yml runs (semester_build, stdlib only), nbval's
                references, the lock, chromium
    sphinx/     the extensions Jupyter Book loads: the build-info footer, MathJax served from the
                build, the download menu, the accessibility fixes (theme/), the PDF's front matter,
                the cell timeout for full-size networks on a CPU, Live Code (thebe, vendored in
                thebe/), the version switcher, the execution statistics,
                each exercise's points
    pdf/        the book as a PDF per edition: build_pdf, its LaTeX settings, the logs read
                back, TeX's install
    student/    the student edition, its published repository (plain notebooks, their
                accessibility check, every semester's edition in docs/, the push) and
                set_repository
    models/     the training of chapter 5's tiny-digits
    grading/    the graded homework: make assignments, make grade, LMS exports (GRADING.md)
    rehearsal/  the semester build rehearsed against loopback stand-ins for the hub
    settings.py the course block of _config.yml, offline.env and what else is written once
    stages.py   make test's timer: each stage's wall and CPU seconds, a table at the end

Scripts run from the repository's root as modules (`python -m tools.book.build_book`), so
`tools` is importable as a package without any sys.path edit; pytest gets the root from
pyproject.toml (`pythonpath`), Jupyter Book from _config.yml's `local_extensions`.
Stdlib only here and in book/__init__.py: semester_build runs before the venv exists.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
