# `make demo` and `make test` work from a fresh clone: they create .venv and install into it.
# Python 3.11 or newer: the first of python3, python3.13, python3.12, python3.11 that is one
# (or say which: make demo PYTHON=/usr/bin/python3.12).
PYTHON ?= $(firstword $(foreach p,python3 python3.13 python3.12 python3.11,\
            $(if $(shell $(p) -c 'import sys; print(sys.version_info >= (3, 11))' 2>/dev/null | grep True),$(p))))
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test demo bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || test -n "$(PYTHON)" || { echo "make: tinygrad231n needs Python 3.11 or newer, and none of" \
	  "python3, python3.13, python3.12, python3.11 on PATH is; install one, or run make PYTHON=/path/to/python3.11" >&2; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "make: $(VENV) was made with" \
	  "Python `$(PY) -c 'import platform; print(platform.python_version())'`; tinygrad231n needs 3.11 or newer:" \
	  "run make clean, then make again" >&2; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[all,dev]'
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q

# The main job on the sample shipped in the package: no download needed.
demo: $(STAMP)
	$(PY) -m tinygrad231n reproduce --sample --out runs/demo

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) benchmarks/bench_core.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
