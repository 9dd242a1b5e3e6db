# Two commands on a fresh machine (Python 3.11, offline but for the package registries):
#   make book   build the HTML book into _build/html, every chapter executed
#               (make student: the student edition; make publish: its public repository)
#   make test   lint, unit tests, site checks, nbval's references against the build's outputs
# The Python of pyproject.toml's requires-python, which states it once.
PYTHON ?= python$(shell sed -n 's/^requires-python = ">=\([0-9.]*\)"/\1/p' pyproject.toml)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := $(shell sed -n 's/^uv==//p' requirements.txt)
# make test times each stage it runs, prerequisites included, and prints a table at the end
# (tools/stages.py; stdlib, so the system's Python): a stage's recipe lines start with
# $(call timed,NAME). Elsewhere STAGES is empty and the lines run as written.
timed = $(if $(STAGES),$(PYTHON) -m tools.stages --log $(STAGES) "$(1)" --)

.PHONY: book student publish test check lint format golden bench serve lock lock-check \
	tiny-model clean chromium offline-env pdf tex rehearsal rehearsal-fast assignments grade \
	stages-start test-pytest test-rehearsal

# The venv: pip only bootstraps uv (the version the lock pins), uv installs the lock.
$(STAMP): requirements.txt pyproject.toml
	$(call timed,install) sh -c 'test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)'
	$(call timed,install) $(BIN)/python -m pip install -q --disable-pip-version-check \
		"uv==$(UV_VERSION)"
	# requirements.txt ends with "-e .": dlbook is installed editable with the rest.
	$(call timed,install) $(BIN)/uv pip sync -q --python $(BIN)/python requirements.txt
	touch $@

# Tests and nbval's references never follow a network that happens to be there: they pin the
# offline settings of offline.env (and so do the prerequisites they build: make test's book and
# student; make check builds nothing, so a real-model book built before it stays as it is).
OFFLINE := $(shell grep -E '^[A-Z_]+=' offline.env)
TESTS := test test-pytest test-rehearsal check golden offline-env
$(foreach setting,$(OFFLINE),$(eval $(TESTS): export $(setting)))

book: $(STAMP)
	$(call timed,book) $(BIN)/python -m tools.book.build_book $(if $(MODEL),--model $(MODEL))

# The student edition: the book's pages and outputs without solutions (not executed again),
# into _build/student/_build/html. tests/test_editions.py checks that no solution reaches it.
student: book
	$(call timed,student edition) $(BIN)/python -m tools.book.build_book --edition student

# The public student repository's tree, in _build/publish: plain notebooks, package, Binder,
# site (tools/student/publish.py). tests/test_publish.py runs every notebook from it.
publish: student pdf
	$(call timed,publish) $(BIN)/python -m tools.student.publish

# The book as a PDF per edition, typeset by xelatex from the outputs make book / make student
# made (no chapter runs again): _build/pdf/foundations.pdf (instructor) and
# foundations-student.pdf, each also beside its site's index.html (tools/pdf/build_pdf.py).
pdf: student tex
	$(call timed,PDFs) $(BIN)/python -m tools.pdf.build_pdf

lint: $(STAMP)
	$(call timed,lint) $(BIN)/ruff check .
	$(call timed,lint) $(BIN)/ruff format --check .
	$(call timed,lint) $(BIN)/actionlint

# The lock: `make lock` compiles requirements.txt (every OS) and binder/requirements.txt from
# pyproject.toml; `make lock-check` proves both current and the lock installable everywhere.
lock: $(STAMP)
	$(BIN)/python -m tools.book.lock

lock-check: $(STAMP)
	$(call timed,lock check) $(BIN)/python -m tools.book.lock --check

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# A worker per logical core (`auto` counts physical ones: 1 on some 2-vCPU machines), a file (or
# a notebook, whose cells share a kernel) per worker at a time; tests/conftest.py hands out the
# longest first and gives each worker its share of the cores.
PYTEST := $(BIN)/python -m pytest -n logical --dist loadfile --no-loadscope-reorder

# Beside pytest, the semester script against the loopback stand-ins with small weights (its own
# copy of the repository, venv, ports and caches; of this checkout it copies the book's execution
# cache): the build's real-model branches, in every run of CI. It starts once the book is built
# (make -j2), so that each one's serial stretches (stand-ins, Sphinx, xelatex, pytest's last long
# file) fill the other's idle core. pytest prints as it goes; the rehearsal writes
# _build/rehearsal-fast.log (tail -f it), printed whole when it ends. The table comes last,
# whichever failed.
# (STAGES for each target, never on the sub-make's command line: make would export it to every
# recipe, and the tests' own makes would time themselves into this table.)
test test-pytest test-rehearsal: STAGES := _build/stages.tsv
test: stages-start
	$(MAKE) -j2 --no-print-directory test-pytest test-rehearsal; \
		status=$$?; $(PYTHON) -m tools.stages --log $(STAGES) --table; exit $$status

test-pytest: book student pdf publish lint lock-check chromium
	$(call timed,pytest) $(PYTEST) tests book --nbval-build \
		--nbval-sanitize-with tests/nbval_sanitize.cfg

# chromium and TeX first: the rehearsal's make check would install them too, and two apt-gets
# at once fail on dpkg's lock. A third of the cores (one at least) for its chapters' kernels:
# beside pytest's workers, a kernel spinning two threads on two cores runs several times slower
# (tests/conftest.py).
REHEARSAL_LOG := _build/rehearsal-fast.log
test-rehearsal: book chromium tex
	$(call timed,rehearsal) sh -c '$(MAKE) rehearsal-fast \
		THREADS=$(shell n=$$(nproc); echo $$(( n / 3 > 0 ? n / 3 : 1 ))) \
		> $(REHEARSAL_LOG) 2>&1; status=$$?; cat $(REHEARSAL_LOG); exit $$status'

stages-start:
	$(PYTHON) -m tools.stages --log $(STAGES) --start

# Everything but nbval, against the book already in _build/html: for builds with the real model,
# whose outputs differ from the offline references by design (.github/workflows/book.yml).
# CHECK_ARGS narrows it (make rehearsal-fast: the tests that read the built book or depend on
# the environment, tools/rehearsal/rehearse.py's FAST_CHECK).
check: lint chromium tex
	$(PYTEST) tests $(CHECK_ARGS)

# The settings above as the targets' environment has them, one per line (tests/test_offline.py
# checks that they are offline.env's).
offline-env:
	@for name in $(foreach setting,$(OFFLINE),$(firstword $(subst =, ,$(setting)))); do \
		echo "$$name=$$(printenv $$name)"; done

# After TeX (order only; so `make chromium` installs TeX too): one apt-get at a time under
# make -j, as make test runs.
chromium: | tex
	$(call timed,chromium install) tools/book/install_chromium.sh

# TeX Live (xelatex, latexmk), GNU FreeFont and poppler's tools, from Debian when missing.
tex:
	$(call timed,TeX install) tools/pdf/install_tex.sh

# Re-execute the paired notebooks, store their outputs as nbval's references, show what changed.
golden: $(STAMP)
	$(BIN)/python -m tools.book.refresh_references

# Retrain chapter 5's tiny-digits from its fixed seed into code/dlbook/assets/tiny-digits.
tiny-model: $(STAMP)
	$(BIN)/python -m tools.models.train_tiny_digits

bench: book
	$(BIN)/python -m bench.build_time
	$(BIN)/python -m bench.safety
	$(BIN)/python -m bench.sampling
	$(BIN)/python -m bench.train_tiny

serve: book
	$(BIN)/python -m http.server --directory _build/html --bind 127.0.0.1 8000

clean:
	rm -rf _build

# The graded homework (GRADING.md): `make assignments` writes the course folder
# _build/assignments (nbgrader's layout and gradebook; the releases are the published notebooks;
# the solutions' expected values); `make grade SUBMISSIONS=DIR` grades DIR/<student>/<chapter>.ipynb
# into _build/grades (grades.csv, feedback pages). Both run kernels with offline.env's settings.
# The releases keep the build's outputs (tools/student/publish.py reads _build/.jupyter_cache).
assignments: book
	$(BIN)/python -m tools.grading.assignments

grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" || { echo "make grade SUBMISSIONS=DIR (a folder per student)"; exit 2; }
	$(BIN)/python -m tools.grading.grade "$(SUBMISSIONS)"

# The semester build (tools/book/semester_build.py, which book.yml runs) rehearsed against a
# loopback hub (gated, HF_TOKEN) and course host, on this machine's CPU, in a copy of the repository.
# `rehearsal`: SD v1-4's full architectures (slow on a CPU: see bench/README.md);
# `rehearsal-fast`: the same script and stand-ins with random-small weights (part of make test;
# THREADS=N: its chapters' kernels run N threads).
rehearsal: $(STAMP)
	$(BIN)/python -m tools.rehearsal.rehearse --size full

rehearsal-fast: $(STAMP)
	$(if $(THREADS),OMP_NUM_THREADS=$(THREADS) )$(BIN)/python -m tools.rehearsal.rehearse --size small
