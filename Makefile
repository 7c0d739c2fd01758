# gridgov: `make demo` sets up and runs the demo, `make test` sets up and runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := src/gridgov/web/static/vendor
STAMP := $(VENV)/.installed-stamp
LOCALE := src/gridgov/locale
CATALOGUES := $(LOCALE)/zh_CN/LC_MESSAGES/messages.mo $(LOCALE)/en/LC_MESSAGES/messages.mo

.PHONY: demo test setup test-setup lint typecheck pytest bench clean messages lock

setup: $(STAMP) $(VENDOR)/.stamp $(CATALOGUES)

# The whole Python stack comes pinned from requirements.lock (made by `make lock`), so every
# machine — a fresh clone, CI, the demo — runs the versions the tests passed with.
$(STAMP): pyproject.toml requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

# After changing the dependencies in pyproject.toml: pin the stack again (the versions already
# pinned are kept where they still fit).
lock:
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra spark --python-version 3.11 --python-platform x86_64-unknown-linux-gnu -o requirements.lock

# Front-end libraries come pinned from npm and are served from our own static folder.
$(VENDOR)/.stamp: package.json package-lock.json
	SCARF_ANALYTICS=false npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)/leaflet
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/
	mkdir -p $(VENDOR)/markercluster
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js node_modules/leaflet.markercluster/dist/MarkerCluster.css node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css $(VENDOR)/markercluster/
	mkdir -p $(VENDOR)/swagger-ui
	cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css $(VENDOR)/swagger-ui/
	touch $@

# The interface's catalogues: .po files are committed, .mo files are compiled here (see
# src/gridgov/web/i18n.py); `make messages` extracts new text from the source into the .po files.
$(LOCALE)/%/LC_MESSAGES/messages.mo: $(LOCALE)/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel -q compile -d $(LOCALE) -l $*

messages: $(STAMP)
	$(BIN)/python scripts/messages.py

demo: setup
	$(BIN)/gridgov demo

# Browser tests drive Debian's chromium; install it when missing (never `playwright install`).
test-setup: setup
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

lint: setup
	$(BIN)/ruff check src tests bench migrations scripts
	$(BIN)/ruff format --check src tests bench migrations scripts

typecheck: setup
	$(BIN)/mypy

pytest: test-setup
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test: test-setup lint typecheck pytest

bench: setup
	$(BIN)/python bench/grids.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR) gridgov.db gridgov.db-*
