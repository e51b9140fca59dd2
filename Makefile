# `make demo`: set up .venv (pinned installs) and solve the shipped demo instances.
# `make test`: lint and run the test suite (CI runs this through .ci/run).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup demo test lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: setup
	$(PY) -m ncorouting demo

lint: setup
	$(PY) -m ruff check ncorouting tests benchmarks

test: lint
	$(PY) -m pytest -q

bench: setup
	$(PY) benchmarks/bench_neural_vs_ortools.py
	$(PY) benchmarks/bench_env_throughput.py
	$(PY) benchmarks/bench_parallel_workers.py

clean:
	rm -rf $(VENV) demo_output solutions .pytest_cache
