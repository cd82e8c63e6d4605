# The two commands a newcomer runs: `make demo` and `make test`. Each sets up .venv on its own.
# Prefer Python 3.13: 3.11.7 and 3.12.1 do not refuse overlapping zip entries (CVE-2024-0450)
# and bundle expat 2.5.0. The zip pre-check guards against both anyway (ingest/containers.py).
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3 /usr/bin/python3.13) python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
export UV_COMPILE_BYTECODE := 1
export DO_NOT_TRACK := 1

.PHONY: demo test lint typecheck install bench samples clean lab browser

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/leerlingimport demo

lint: $(STAMP)
	$(VENV)/bin/ruff check lib tests bench flows
	$(VENV)/bin/ruff format --check lib tests bench flows

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# The portal's browser tests drive Debian's Chromium; Playwright never downloads a browser, and a
# missing /usr/bin/chromium fails those tests. As root, install it (and its Dutch UI strings).
browser:
	@test -x /usr/bin/chromium || { \
	  test "$$(id -u)" = 0 || { echo "Chromium ontbreekt: sudo apt-get install chromium chromium-l10n" >&2; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-l10n; }

test: lint typecheck browser
	$(VENV)/bin/pytest

# JupyterLab lives in a venv of its own (.venv-lab): in .venv it would slow every
# `import prefect` and papermill by seconds (shared/reference/stack.md #3).
LAB := .venv-lab
$(LAB)/.installed-stamp: pyproject.toml $(STAMP)
	test -x $(LAB)/bin/python || $(PYTHON) -m venv $(LAB)
	$(VENV)/bin/uv pip install --quiet --python $(LAB)/bin/python -e '.[lab]'
	touch $@

lab: $(LAB)/.installed-stamp
	test -f var/demo.db || $(VENV)/bin/leerlingimport demo
	$(LAB)/bin/jupyter lab notebooks/

samples: $(STAMP)
	$(VENV)/bin/leerlingimport generate --out data/samples

bench: $(STAMP)
	$(VENV)/bin/uv pip install --quiet --python $(PY) -e '.[test,bench]'
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) $(LAB) .mypy_cache .pytest_cache .ruff_cache
