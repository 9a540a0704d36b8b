# Dragon developer entry points.  The two that matter on a fresh machine:
#   make demo   bring up the two-region minicloud and Dragon, run the demo
#   make test   unit tests, then functional tests against the minicloud
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat setup.cfg requirements.txt test-requirements.txt constraints.txt 2>/dev/null | sha256sum | cut -c1-12)
PYTEST_ARGS ?=
# The second minicloud of `make test`: one Swift per region, so that losing
# RegionOne loses its Swift (replication's tests need it; the rest run on
# the first, shared-Swift cloud). `make cloud-down` stops both.
# It shares the first cloud's service venv (expanded when used: after `venv`);
# where it lives can be moved like the first's (MINICLOUD_SITES_*).
MINICLOUD_SITES_HOME ?= /var/tmp/dragon-minicloud-sites
MINICLOUD_SITES_PORT_BASE ?= 18000
MINICLOUD_SITES_DB_PREFIX ?= mcsites_
SITES = MINICLOUD_VENV=$(shell $(PY) -c 'from tests.minicloud.layout import Layout; \
	print(Layout.from_env().venv)') MINICLOUD_HOME=$(MINICLOUD_SITES_HOME) \
	MINICLOUD_PORT_BASE=$(MINICLOUD_SITES_PORT_BASE) \
	MINICLOUD_DB_PREFIX=$(MINICLOUD_SITES_DB_PREFIX) MINICLOUD_SWIFT_TOPOLOGY=per-region
PER_REGION_TESTS := tests/functional/replication tests/functional/minicloud/test_object_stores.py
# What needs no shared workload (the first cloud's session-wide
# ``protected``) and holds on either topology runs on the second cloud, not
# the first, so that the two suites end together: the minicloud's own
# service checks, and Dragon's tests that build their own workload.  Their
# recoveries into RegionTwo read RegionOne's Swift there (a checkpoint never
# replicated: dragon.recovery.source), so that path is covered too.  Left
# on the first: what shares ``protected``, and what assumes one Swift for
# both regions (test_restore, test_swift_container).  Measured on one
# machine: the first cloud's suite 40 -> ~27 min, the second's 13 -> ~25.
SECOND_CLOUD_TESTS := tests/functional/minicloud/test_compute.py \
	tests/functional/minicloud/test_heat.py \
	tests/functional/minicloud/test_volumes.py \
	tests/functional/minicloud/test_key_manager.py \
	tests/functional/cli \
	tests/functional/api/test_checkpoints.py \
	tests/functional/api/test_policies.py \
	tests/functional/api/test_engines.py \
	tests/functional/services/test_dragon_services.py \
	tests/functional/api/test_recoveries.py \
	tests/functional/api/test_policy_encryption.py \
	tests/functional/protection/test_data_actions.py \
	tests/functional/protection/test_data_key_scope.py \
	tests/functional/protection/test_discovery.py \
	tests/functional/recovery/test_key_rotation.py

.PHONY: demo test unit functional functional-sites pep8 cover venv system-deps cloud-up cloud-down cloud-wipe cloud-status stop-site-a docs samples

demo: system-deps venv
	$(PY) -m tests.demo

# The unit tests need no cloud, so they run while the minicloud starts (a
# cold start takes minutes; a running cloud is reused at once).  Then the
# database layer on MariaDB in the background (it needs no cloud either,
# and the functional tests need not wait for it), and the functional tests,
# while a second minicloud (one Swift per region) starts and runs what needs
# it; the background stages' output is shown when the functional tests
# end, not interleaved.
# Every stage runs, so one failure hides no other; the last line gives each
# stage's exit code.
test: system-deps venv
	@$(PY) -m tests.minicloud up > $(VENV)/minicloud-up.log 2>&1 & cloud=$$!; \
	echo "== unit tests (the minicloud starts meanwhile: $(VENV)/minicloud-up.log) =="; \
	$(PY) -m pytest tests/unit -p no:cacheprovider -q $(PYTEST_ARGS); unit=$$?; \
	DRAGON_TEST_DB_URL=$$($(PY) -m tests.minicloud test-db) \
	  $(PY) -m pytest tests/unit/db tests/unit/engine -p no:cacheprovider -q $(PYTEST_ARGS) \
	  > $(VENV)/database-layer.log 2>&1 & dblayer=$$!; \
	if ! wait $$cloud; then echo "== the minicloud did not start =="; \
	  tail -n 40 $(VENV)/minicloud-up.log; wait $$dblayer; exit 1; fi; \
	tail -n 3 $(VENV)/minicloud-up.log; \
	$(MAKE) --no-print-directory functional-sites \
	  PER_REGION_TESTS="$(PER_REGION_TESTS) $(SECOND_CLOUD_TESTS)" > $(VENV)/per-region.log 2>&1 & sites=$$!; \
	echo "== functional tests (meanwhile the per-region minicloud and its tests: $(VENV)/per-region.log) =="; \
	$(PY) -m pytest tests/functional $(addprefix --ignore=,$(SECOND_CLOUD_TESTS)) \
	  -p no:cacheprovider -q $(PYTEST_ARGS); functional=$$?; \
	wait $$sites; per_region=$$?; \
	wait $$dblayer; db=$$?; \
	cat $(VENV)/per-region.log; \
	echo "== the database layer again, on MariaDB (ran beside the above: $(VENV)/database-layer.log) =="; \
	cat $(VENV)/database-layer.log; \
	echo "== exit codes: unit $$unit, functional $$functional, per-region $$per_region, database layer $$db =="; \
	[ $$unit -eq 0 ] && [ $$functional -eq 0 ] && [ $$per_region -eq 0 ] && [ $$db -eq 0 ]

unit: system-deps venv
	$(PY) -m pytest tests/unit -p no:cacheprovider -q $(PYTEST_ARGS)

functional: venv
	$(PY) -m pytest tests/functional -p no:cacheprovider -q $(PYTEST_ARGS)

# What needs one Swift per region, on the second minicloud (started if needed).
functional-sites: venv
	@echo "== two sites, two Swift clusters: a second minicloud, one Swift per region =="
	$(SITES) $(PY) -m tests.minicloud up > $(VENV)/minicloud-sites-up.log 2>&1 || \
	  { tail -n 40 $(VENV)/minicloud-sites-up.log; exit 1; }
	$(SITES) $(PY) -m pytest $(PER_REGION_TESTS) -p no:cacheprovider -q $(PYTEST_ARGS)

# flake8 with hacking, configured in tox.ini [flake8] (tox -e pep8).
pep8: venv
	$(VENV)/bin/flake8

# Coverage of the unit tests; HTML report in cover/ (tox -e cover).
cover: venv
	$(VENV)/bin/coverage erase
	$(VENV)/bin/coverage run --source dragon -m pytest tests/unit -p no:cacheprovider -q $(PYTEST_ARGS)
	$(VENV)/bin/coverage html -d cover
	$(VENV)/bin/coverage report --skip-covered

venv: $(STAMP)

# Debian packages the minicloud (memcached, qemu-utils), the unit tests
# (shellcheck, for the devstack plugin) and the dashboard's browser tests
# (chromium and its driver, of the same version) need beyond what this
# machine kind ships.
system-deps:
	@missing=""; for p in memcached qemu-utils shellcheck chromium chromium-driver; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "apt-get install$$missing"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

# Updated in place when the inputs change: removing the venv under running
# processes (tests, a running Dragon) would break them.
$(STAMP):
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	rm -f $(VENV)/.installed-*
	$(VENV)/bin/pip install -q -c constraints.txt -r requirements.txt -r test-requirements.txt -e .
	touch $@

cloud-up: venv
	$(PY) -m tests.minicloud up

cloud-status: venv
	$(PY) -m tests.minicloud status

cloud-down: venv
	$(PY) -m tests.minicloud down
	$(SITES) $(PY) -m tests.minicloud down

cloud-wipe: venv
	$(PY) -m tests.minicloud down --wipe
	$(SITES) $(PY) -m tests.minicloud down --wipe

stop-site-a: venv
	$(PY) -m tests.minicloud stop-site RegionOne

samples: venv
	$(VENV)/bin/oslo-config-generator --config-file etc/dragon/dragon-config-generator.conf
	$(VENV)/bin/oslopolicy-sample-generator --config-file etc/dragon/dragon-policy-generator.conf

docs: venv
	$(VENV)/bin/pip install -q -c constraints.txt sphinx
	$(VENV)/bin/sphinx-build -W -b html doc/source doc/build/html
