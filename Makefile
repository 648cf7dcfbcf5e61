# IPP — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STACK ?= embedded
STACKS ?= embedded production
PYTEST := $(BIN)/python -m pytest -p no:cacheprovider

.PHONY: venv run demo test test-unit test-stack test-faults lint schemas bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

## the whole platform on the embedded stack (STACK=production for local Kafka + PostgreSQL)
run: venv
	$(BIN)/python -m deploy.run --stack $(STACK)

## walk the seed's journey against the running platform
demo: venv
	$(BIN)/python -m deploy.demo

## every tier: unit once, then integration, e2e, browser (headless Chromium) and faults on each stack
test: venv lint test-unit
	@for stack in $(STACKS); do \
	  echo "=== integration + e2e + browser on the $$stack stack ==="; \
	  IPP_TEST_STACK=$$stack $(PYTEST) -q tests/integration tests/e2e tests/browser || exit 1; \
	  echo "=== faults on the $$stack stack ==="; \
	  IPP_TEST_STACK=$$stack $(PYTEST) -q tests/faults || exit 1; \
	done

test-unit: venv
	$(PYTEST) -q -n auto tests/unit

## one stack only: make test-stack STACK=production
test-stack: venv
	IPP_TEST_STACK=$(STACK) $(PYTEST) -q tests/integration tests/e2e tests/browser
	IPP_TEST_STACK=$(STACK) $(PYTEST) -q tests/faults

## the fault-injection tier alone: make test-faults STACK=production
test-faults: venv
	IPP_TEST_STACK=$(STACK) $(PYTEST) -q tests/faults

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## regenerate the committed JSON Schemas of the contract events and the AsyncAPI document
schemas: venv
	$(BIN)/python -m shared.events.schemas
	$(BIN)/python -m services.contract

## filing-to-verdict latency (p50/p99 over 100 complaints, auto mode) on $(STACK)
bench: venv
	$(BIN)/python -m deploy.bench --stack $(STACK)

clean:
	rm -rf var test-artifacts
