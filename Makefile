# suanli: `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= scenarios/east_data_west_compute.yaml

.PHONY: run test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/suanli run $(SCENARIO) --out results/$(notdir $(SCENARIO:.yaml=.nc)) --plot results/$(notdir $(SCENARIO:.yaml=.png))

lint: $(STAMP)
	$(BIN)/ruff check sim app tests benchmarks
	$(BIN)/ruff format --check sim app tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format sim app tests benchmarks
	$(BIN)/ruff check --fix sim app tests benchmarks

test: lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/pytest benchmarks --benchmark-only --benchmark-columns=min,median,mean,rounds -p no:randomly

clean:
	rm -rf $(VENV) results test-artifacts .pytest_cache .ruff_cache .benchmarks
