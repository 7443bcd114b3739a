# The two commands in the README: `make demo` (the main job) and `make test` (the whole suite).
# Each installs what it needs and reuses what already exists on a second run.

VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
PB      := $(VENV)/bin/phonebank
PYTEST  := $(VENV)/bin/pytest

.PHONY: demo test unit host venv image clean

demo: host venv image
	$(PB) demo

test: host venv image
	$(PYTEST) -ra

unit: venv
	$(PYTEST) -ra -m "not integration and not postgres and not browser"

host:
	bash scripts/host-deps.sh

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	bash scripts/venv.sh $(PYTHON) $(VENV)
	touch $@

image: venv
	$(PB) asterisk build

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
