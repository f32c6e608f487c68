# Rapport's developer entry points. `make run` starts the platform; `make test` is the CI gate.
SHELL := bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STACK := $(PY) deploy/local/stack.py
SERVICES := ingest profiles responder loyalty
VENV_STAMP := $(VENV)/.installed
JARS_DIR := .state/kafka-lib
JARS_STAMP := $(JARS_DIR)/.installed

.PHONY: help venv jars browser run stop test lint migrate proto release-contracts bench eval chaos lock clean \
	container-tools images test-containers

help:
	@echo "make run    start Kafka, MongoDB and the four services with demo data (make stop to stop);"
	@echo "            REPLICAS=2 runs two processes of each"
	@echo "make test   lint, types and tests against a throwaway Kafka and MongoDB"
	@echo "make images           the four service images (podman or docker; see deploy/containers/README.md)"
	@echo "make test-containers  the images, as the production overlay runs them, end to end"
	@echo "other: venv jars browser stop lint migrate proto release-contracts bench eval chaos lock clean"

venv: $(VENV_STAMP)

$(VENV_STAMP): constraints.txt requirements-dev.txt requirements-local.txt libs/rapport/pyproject.toml $(SERVICES:%=services/%/pyproject.toml)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -c constraints.txt -r requirements-dev.txt -r requirements-local.txt \
		-e libs/rapport $(SERVICES:%=-e services/%)
	touch $@

jars: $(JARS_STAMP)

$(JARS_STAMP): deploy/local/kafka/pom.xml
	rm -rf $(JARS_DIR)
	mvn -q -B -f deploy/local/kafka/pom.xml package -Dkafka.lib.dir=$(CURDIR)/$(JARS_DIR)
	touch $@

# The console's browser tests drive Debian's Chromium through Playwright (no browser download).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# REPLICAS=N runs N processes of every service (replica n on the ports 8001-8004 + 100*(n-1)).
REPLICAS ?= 1

run: venv jars
	$(STACK) up --profile run --replicas $(REPLICAS)

stop:
	$(STACK) down --profile run

# $(call with_test_stack,UP-FLAGS,COMMAND): starts (or reuses) Kafka and MongoDB on the test ports,
# runs COMMAND and stops only what it started, also when COMMAND fails (whose exit code is kept).
define with_test_stack
	@status=0; trap 'status=130' INT TERM; \
	$(STACK) up --profile test --infra-only $(1) || status=$$?; \
	if [ $$status -eq 0 ]; then $(2) || status=$$?; fi; \
	$(STACK) down --profile test --if-started-by-up || true; \
	exit $$status
endef

test: venv jars browser
	$(call with_test_stack,--fresh,$(MAKE) --no-print-directory lint && $(VENV)/bin/pytest libs services tests)

# podman (run with runc: crun fails here) and mmdebstrap, pinned, from Debian's packages, unless
# podman is there or CONTAINER_TOOL=docker.
CONTAINER_PACKAGES := podman=4.3.1+ds1-8+deb12u1+b3 runc=1.1.5+ds1-1+deb12u1 mmdebstrap=1.3.5-7

container-tools:
	@[ "$(CONTAINER_TOOL)" = docker ] || command -v podman >/dev/null || { \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install \
		-y -qq -o DPkg::Lock::Timeout=600 $(CONTAINER_PACKAGES); }

# rapport/<service>:$(IMAGE_TAG) for the four services; the base image too when BASE_IMAGE is
# not given and the official one cannot be pulled (about 6 minutes cold, 1 to 2 warm; both paths
# and the measurements: deploy/containers/README.md).
IMAGE_TAG ?= dev
export IMAGE_TAG CONTAINER_TOOL BASE_IMAGE

images: venv container-tools
	$(PY) -m deploy.containers.images

# The images as the production overlay runs them (host network, test Kafka and MongoDB), end
# to end: about 2.5 minutes when the images are built. Not yet part of `make test`: see
# deploy/containers/README.md.
test-containers: venv jars images
	$(call with_test_stack,,$(VENV)/bin/pytest -p no:cacheprovider deploy/containers)

lint: venv
	$(VENV)/bin/ruff check
	$(VENV)/bin/ruff format --check
	$(VENV)/bin/mypy libs/rapport/src $(SERVICES:%=services/%/src)

# Creates or rebuilds every service's indexes where RAPPORT_MONGO_URL points (default: the
# local MongoDB of `make run`, which runs this itself before starting the services).
migrate: venv
	$(VENV)/bin/rapport migrate --all

proto: venv
	$(PY) -m rapport.proto write

# Makes the current schemas the baseline later changes must stay compatible with (proto/released/).
release-contracts: venv
	$(PY) -m rapport.proto release

# Rapport against a bare 4-hop aiokafka pass-through, on its own fresh platform (ports 22001-22004,
# 22017, 23092-23093, each + RAPPORT_TEST_PORT_OFFSET; .state/bench). Every phase has a time limit
# (about 12 minutes in all); writes benchmarks/results/latest.json and prints it against the
# targets. BENCH_FLAGS=--quick for a smoke run (under 4 minutes; see `$(PY) -m benchmarks.run
# --help`); BENCH_FLAGS='--phases e2e' measures only the pass-through, the lexicon drain and the
# latency; PROFILE=1 samples the services with py-spy during the drain (results/profile-*.txt).
bench: venv jars
	$(PY) -m benchmarks.run $(BENCH_FLAGS) $(if $(PROFILE),--profile)

eval: venv
	$(PY) -m evaluation.run

# 5,000 mentions while Kafka, mongod and each service in turn are SIGKILLed and restarted
# (its own ports and .state/chaos; about 15 minutes). Exits 1 on any loss or duplicate.
chaos: venv jars
	$(PY) -m tests.chaos.run

# Re-resolves every dependency in a throwaway venv and rewrites the one lock.
lock:
	rm -rf .state/lock-venv
	$(PYTHON) -m venv .state/lock-venv
	.state/lock-venv/bin/pip install -q -r requirements-dev.txt -r requirements-local.txt \
		-e libs/rapport $(SERVICES:%=-e services/%)
	{ echo "# The one lock for the whole repo: every Python package, direct and transitive, pinned."; \
	  echo "# Regenerate with 'make lock' after changing a dependency."; \
	  .state/lock-venv/bin/pip freeze --exclude-editable; } > constraints.txt
	rm -rf .state/lock-venv

clean:
	if [ -x $(PY) ]; then $(STACK) down --profile run; $(STACK) down --profile test; fi
	rm -rf .state $(VENV)
