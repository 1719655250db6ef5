# Two entry points (README quick start): `make demo` and `make test`.
# Each creates the virtualenv and installs what it needs by itself.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Crawl the bundled mock outlets on 127.0.0.1 with the real spiders; print a summary.
demo: $(STAMP)
	$(BIN)/scrapy demo

## Lint, then the whole test suite.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python tests/services.py
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
