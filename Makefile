# suanli: `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= scenarios/east_data_west_compute.yaml

# Headless Chromium for the browser test of the app, and a CJK font for its 中文
# screenshots (Debian packages; installed only if missing; we run as root).
CHROMIUM ?= /usr/bin/chromium

.PHONY: run app test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/suanli run $(SCENARIO) --out results/$(notdir $(SCENARIO:.yaml=.nc)) --plot results/$(notdir $(SCENARIO:.yaml=.png))

app: $(STAMP)
	$(BIN)/suanli app

$(CHROMIUM):
	apt-get update && apt-get install -y chromium chromium-driver fonts-wqy-zenhei

lint: $(STAMP)
	$(BIN)/ruff check sim app tests benchmarks examples
	$(BIN)/ruff format --check sim app tests benchmarks examples

format: $(STAMP)
	$(BIN)/ruff format sim app tests benchmarks examples
	$(BIN)/ruff check --fix sim app tests benchmarks examples

test: lint $(CHROMIUM)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/pytest benchmarks --benchmark-only --benchmark-columns=min,median,mean,rounds -p no:randomly

clean:
	rm -rf $(VENV) results test-artifacts .pytest_cache .ruff_cache .benchmarks
