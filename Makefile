# The two commands the README promises: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SPEC ?= ../shared/spec/openai-openapi.yaml

.PHONY: run test lint bench install install-test install-bench schemas clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# An editable install leaves fake_server's own modules uncompiled; compiling
# them here (as a wheel install does) saves ~25 ms on every start when the
# environment sets PYTHONDONTWRITEBYTECODE.
install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/python -m compileall -q fake_server

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q fake_server

run: install
	$(BIN)/fake-server serve --host 127.0.0.1 --port 8080

lint: install-test
	$(BIN)/ruff check fake_server tools tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

install-bench: install-test
	$(BIN)/pip install --quiet -e '.[test,bench]'

# Not part of `make test`: needs wrk (apt-get install wrk) and takes minutes.
bench: install-bench
	$(BIN)/python bench/run.py

# Regenerate schemas/ from the pinned spec and the installed MKA1 SDK.
schemas: install-test
	$(BIN)/python tools/extract_schemas.py --spec $(SPEC)

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
