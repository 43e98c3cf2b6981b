# make test   : set up the environment (if needed) and run the test suite
# make bench  : run the speed/memory benchmarks (ratios against references in the same run)
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup test bench clean
setup:
	@local/setup_env.sh

test: setup
	@. ./path.sh && $(PY) -m pytest -q tests

bench: setup
	@. ./path.sh && for b in bench/*/run.sh; do echo "== $$b"; bash $$b || exit 1; done

clean:
	rm -rf egs/*/data egs/*/dump egs/*/exp bench/out
