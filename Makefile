# Developer shortcuts. The logic lives in scripts/ (the README's `bash scripts/run` and `bash scripts/test`
# need no make); these targets call it. `make` alone lists the targets.
SHELL := bash
VENV := .venv
PY := $(VENV)/bin/python

# Extra arguments, e.g. `make test PYTEST_ARGS="-q tests/dashboard"`, `make run RUN_ARGS="--port 8080"`.
PYTEST_ARGS ?=
RUN_ARGS ?=
# Benchmark arguments (see docs/benchmarks.md). The synthesis benchmark defaults to one epsilon and one seed
# here; `make bench BENCH_SYNTH_ARGS=` runs the script's full grid (epsilons 1 4 12, seeds 0 1 2).
BENCH_AGGREGATE_ARGS ?=
BENCH_SYNTH_ARGS ?= --epsilons 4 --seeds 0
BENCH_DASHBOARD_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install hooks test lint format run bench constraints clean

help:
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

install: ## .venv with the dev extra (tests, ruff, mypy, pre-commit), pinned by constraints.txt
	bash -c 'source scripts/lib.sh && apt_install $$(venv_packages) && setup_venv dev'

hooks: install ## install the git hooks of .pre-commit-config.yaml (ruff, mypy before each commit)
	$(VENV)/bin/pre-commit install

test: ## the README test command: install, lint (scripts/lint), whole test suite (PYTEST_ARGS)
	bash scripts/test $(PYTEST_ARGS)

lint: ## ruff check, ruff format --check, mypy, documentation links (scripts/lint)
	bash scripts/lint

format: ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

run: ## the README run command: install, publish the sample release if none, serve the dashboard
	bash scripts/run $(RUN_ARGS)

bench: ## install the bench extra, then run the benchmarks in benchmarks/ (BENCH_*_ARGS)
	bash -c 'source scripts/lib.sh && setup_venv dev,bench'
	$(PY) benchmarks/bench_aggregate.py $(BENCH_AGGREGATE_ARGS)
	$(PY) benchmarks/bench_synth.py $(BENCH_SYNTH_ARGS)
	$(PY) benchmarks/bench_dashboard.py $(BENCH_DASHBOARD_ARGS)

constraints: ## regenerate constraints.txt from a fresh venv holding every extra (then review the diff)
	tmp=$$(mktemp -d) && python3 -m venv $$tmp/venv \
	  && $$tmp/venv/bin/pip install --quiet -e ".[dev,bench,server]" \
	  && { grep '^#' constraints.txt; $$tmp/venv/bin/pip freeze --exclude-editable; } > $$tmp/constraints.txt \
	  && mv $$tmp/constraints.txt constraints.txt && rm -rf $$tmp

clean: ## remove caches and build outputs (keeps .venv and var/, whose private folder holds the budget ledger)
	rm -rf .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info screenshots
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
