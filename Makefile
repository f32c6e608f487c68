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

.PHONY: help venv jars browser tools run stop unit test lint migrate proto release-contracts bench eval chaos \
	lock clean container-tools images test-containers

help:
	@echo "make run    start Kafka, MongoDB and the four services with demo data (make stop to stop);"
	@echo "            REPLICAS=2 runs two processes of each"
	@echo "make unit   every test that needs no Kafka or MongoDB, in seconds (starts neither)"
	@echo "make test   lint, types and tests against a throwaway Kafka and MongoDB"
	@echo "make images           the four service images (podman or docker; see deploy/containers/README.md)"
	@echo "make test-containers  the images, as the production overlay runs them, end to end"
	@echo "other: venv jars browser tools stop lint migrate proto release-contracts bench eval chaos lock clean"

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

# The console's browser tests drive Debian's Chromium through Playwright (no browser download),
# with Debian's Nanum fonts (10 MB, Korean) so Korean posts render in screenshots, not as boxes.
CHROMIUM := /usr/bin/chromium
KOREAN_FONTS := fonts-nanum=20200506-1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

browser:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }
	@dpkg-query -W fonts-nanum >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(KOREAN_FONTS); }

# The manifest tests render deploy/k8s with kustomize and lint it with kube-score, both pinned and
# built from the Go module proxy into .state/tools (cached: about 5 minutes the first time on
# this machine, nothing after).
GO ?= $(shell command -v go || echo /usr/local/go/bin/go)
TOOLS_DIR := .state/tools
KUSTOMIZE_VERSION := v5.5.0
KUBE_SCORE_VERSION := v1.20.0
TOOLS_STAMP := $(TOOLS_DIR)/.installed-$(KUSTOMIZE_VERSION)-$(KUBE_SCORE_VERSION)

tools: $(TOOLS_STAMP)

$(TOOLS_STAMP):
	GOBIN=$(CURDIR)/$(TOOLS_DIR) $(GO) install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)
	GOBIN=$(CURDIR)/$(TOOLS_DIR) $(GO) install github.com/zegl/kube-score/cmd/kube-score@$(KUBE_SCORE_VERSION)
	touch $@

# REPLICAS=N runs N processes of every service (replica n on the ports 8001-8004 + 100*(n-1)).
REPLICAS ?= 1

run: venv jars
	$(STACK) up --profile run --replicas $(REPLICAS)

stop:
	$(STACK) down --profile run

# The fast loop: every test not marked integration or e2e. The fixtures point at closed ports, so a
# test that needs Kafka or MongoDB without saying so fails here instead of finding a stack.
unit: venv tools
	RAPPORT_TEST_KAFKA=127.0.0.1:9 \
	RAPPORT_TEST_MONGO='mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=2000' \
		$(VENV)/bin/pytest -q -m "not integration and not e2e and not slow" libs services tests

# $(call with_test_stack,UP-FLAGS,COMMAND): starts (or reuses) Kafka and MongoDB on the test ports,
# runs COMMAND and stops only what it started, also when COMMAND fails (whose exit code is kept).
define with_test_stack
	@status=0; trap 'status=130' INT TERM; \
	$(STACK) up --profile test --infra-only $(1) || status=$$?; \
	if [ $$status -eq 0 ]; then $(2) || status=$$?; fi; \
	$(STACK) down --profile test --if-started-by-up || true; \
	exit $$status
endef

test: venv jars browser tools
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
# to end: about 2.5 minutes when the images are built. CI runs it after `make test` (.ci/run); see
# deploy/containers/README.md.
test-containers: venv jars images
	$(call with_test_stack,,$(VENV)/bin/pytest -p no:cacheprovider deploy/containers)

# mypy strict also over tests, benchmarks and deploy/. tests/e2e stays out while it must stay
# untouched (8 annotations missing). MYPY_SERVICE_TESTS: trim a service whose tests do not pass yet.
MYPY_TESTS := benchmarks deploy libs/rapport/tests tests
MYPY_SERVICE_TESTS ?= $(SERVICES:%=services/%/tests)

lint: venv
	$(VENV)/bin/ruff check
	$(VENV)/bin/ruff format --check
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy libs/rapport/src $(SERVICES:%=services/%/src) $(MYPY_TESTS) $(MYPY_SERVICE_TESTS) \
		--exclude '^tests/e2e/'

# Creates or rebuilds every service's indexes where RAPPORT_MONGO_URL points (default: the
# local MongoDB of `make run`, which runs this itself before starting the services).
migrate: venv
	$(VENV)/bin/rapport migrate --all

# Also writes the manifests made from the topic catalogue (Strimzi topics and users, KEDA).
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
