# rehearse: `make test` and `make demo` set up everything they need on a fresh Debian machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup host images lint test unit demo bench clean

setup: host $(STAMP)

host:
	@bash scripts/host-setup.sh

$(STAMP): pyproject.toml
	@echo "[venv] installing rehearse and its test tools into $(VENV)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/pip install -q --disable-pip-version-check -U pip
	@$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

images: host
	@bash scripts/build-images.sh

lint: $(STAMP)
	$(BIN)/ruff check rehearse tests bench
	$(BIN)/mypy

# THE test command (README, .ci/run): host packages, Docker, images, venv, then lint and tests.
test: images $(STAMP) lint
	$(BIN)/pytest

# Fast loop without Docker.
unit: $(STAMP)
	$(BIN)/pytest tests/unit

# The whole job offline: local images, a generated "production" store at 4.50 on PostgreSQL,
# and a rehearsal of its upgrade to 4.70 with the nopCommerce stand-in; then the comment
# `rehearse attach` would post on a change ticket (--dry-run: nothing is sent).
# Run as another user than root, the sandbox cannot be blocked from this host's services: the demo
# store is generated, so it goes ahead with --allow-host-access (and its report says so).
DEMO_ACCESS = $$([ "$$(id -u)" = 0 ] || echo --allow-host-access)
demo: images $(STAMP)
	@$(BIN)/python -m scripts.demo_store
	@$(BIN)/rehearse check scenarios/demo.yaml || [ $$? -eq 1 ]
	@$(BIN)/rehearse run scenarios/demo.yaml $(DEMO_ACCESS)
	@$(BIN)/rehearse attach rehearsal-output --to 'github:acme/shop#42' --dry-run
	@$(BIN)/rehearse history --store demo --last 5

# Figures, not tests (never run by `make test`, never failing CI): rehearse and bench/bare.sh doing
# the same work, alternating, BENCH_PAIRS pairs on ~BENCH_MB PostgreSQL and MariaDB stores, then
# three rehearsals at once; and the same on a demo-sized store (fixed costs);
# bench/results/*.json and *.md.
BENCH_MB    ?= 1024
BENCH_PAIRS ?= 3
bench: images $(STAMP)
	-$(BIN)/python -m bench.run --size-mb $(BENCH_MB) --pairs $(BENCH_PAIRS)
	-$(BIN)/python -m bench.run --provider postgresql --size-mb 2 --pairs $(BENCH_PAIRS) \
	  --no-concurrent --name '{provider}-small'

clean:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -c 'from rehearse.sandbox import cleanup; print(cleanup.remove_all(), "objects removed")'; fi
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
