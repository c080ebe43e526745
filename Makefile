# The two set-up commands of the README work on a fresh machine:
#   make run    virtualenv + install + render every stage and print a per-stage summary
#   make test   virtualenv + install + the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test render-check lock kubectl clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/pipeline render

test: $(STAMP) kubectl
	$(BIN)/python -m pytest

# Fails when rendered/ is not what the stage files produce (CI runs it too, through the tests).
render-check: $(STAMP)
	$(BIN)/pipeline render --check

# kubectl is a real consumer of rendered output (kubectl kustomize); install it where missing.
kubectl:
	@command -v kubectl >/dev/null 2>&1 || scripts/install-kubectl

# Regenerate the pinned lock file after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
		-o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache
