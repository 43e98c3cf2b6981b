# make test      : set up the environment (if needed) and run the whole test suite (what CI runs)
# make test-fast : the unit tests only (no corpus generation, no recipe runs; about 2 minutes)
# make bench     : run the speed/memory benchmarks (ratios against references in the same run)
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup setup-tests test test-fast bench clean
setup:
	@local/setup_env.sh

setup-tests:
	@local/setup_env.sh --tests

test: setup-tests
	@. ./path.sh && $(PY) -m pytest -q --durations=15 tests

test-fast: setup
	@. ./path.sh && $(PY) -m pytest -q -m "not slow" --durations=10 tests

bench: setup
	@. ./path.sh && for b in bench/*/run.sh; do echo "== $$b"; bash $$b || exit 1; done

clean:
	rm -rf egs/*/data egs/*/dump egs/*/exp bench/out
