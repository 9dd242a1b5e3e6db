# Two commands on a fresh machine (Python 3.11, offline but for the package registries):
#   make book   build the HTML book into _build/html, every chapter executed
#               (EDITION=student: solutions removed, into _build/student/_build/html)
#   make test   lint, unit tests, site checks and nbval against the committed outputs
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book student test check lint format golden bench serve freeze clean chromium

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# requirements.txt ends with "-e .": dlbook is installed editable with the rest.
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

book: $(STAMP)
	$(BIN)/python tools/build_book.py $(if $(MODEL),--model $(MODEL)) $(if $(EDITION),--edition $(EDITION))

# The student edition too (tests/test_editions.py checks that no solution reaches it).
student: $(STAMP)
	$(BIN)/python tools/build_book.py --edition student

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: book student lint chromium
	$(BIN)/python -m pytest tests book --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

# Everything but nbval, against the book already in _build/html: for builds with the real model,
# whose outputs differ from the offline references by design (.github/workflows/book.yml).
check: lint chromium
	$(BIN)/python -m pytest tests

chromium:
	tools/install_chromium.sh

# Re-execute the paired notebooks, store their outputs as nbval's references, show what changed.
golden: $(STAMP)
	$(BIN)/python tools/refresh_references.py

bench: book
	$(BIN)/python bench/build_time.py
	$(BIN)/python bench/safety.py

serve: book
	$(BIN)/python -m http.server --directory _build/html --bind 127.0.0.1 8000

freeze: $(STAMP)
	{ grep '^#' requirements.txt; $(BIN)/python -m pip freeze --exclude-editable; echo "-e ."; } \
		> requirements.txt.new && mv requirements.txt.new requirements.txt

clean:
	rm -rf _build
