# Every target creates .venv when missing, so a fresh clone needs only `make demo` / `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-browser screenshots lint typecheck unit soak bench clean format

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m bot demo

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck unit

# The browser tests alone (they also run in `make test`): headless Debian Chromium.
test-browser: $(STAMP)
	$(BIN)/pytest -q tests/browser

# The README's screenshots of the room's screen and the public record, at 1920x1080.
screenshots: $(STAMP)
	PLENARY_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q tests/browser -k "within_a_second or kasane_story"

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

soak: $(STAMP)
	$(BIN)/pytest -q -o addopts="--strict-markers --strict-config -ra" tests/soak

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
