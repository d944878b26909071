# tongban — the two commands a person needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TONGBAN := $(BIN)/tongban
VENDOR := src/tongban/web/static/vendor
HTMX_DST := $(VENDOR)/htmx.min.js
LOCALE := src/tongban/locale
PYTEST_ARGS ?=

.PHONY: chromium demo serve test test-unit test-e2e test-postgres lint fmt bench install system assets messages clean

demo: install ## venv, dependencies, migrations, the demo city, server on 127.0.0.1:8000
	$(TONGBAN) migrate --no-input
	$(TONGBAN) demo
	$(TONGBAN) serve

serve: install
	$(TONGBAN) migrate --no-input
	$(TONGBAN) serve

install: $(VENV)/.installed assets messages

$(VENV)/.installed: pyproject.toml
	@$(MAKE) --no-print-directory system
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# System packages: gettext (translations), the CJK fonts that seals and documents are drawn with
# (Noto CJK; FandolFang and FandolKai, the free 仿宋 and 楷体 of official documents, come with
# texlive-lang-chinese, installed without its recommends: ~160 MB instead of ~1.2 GB), HarfBuzz's
# subsetter (WeasyPrint embeds those fonts in ~0.05 s with it, ~8 s without), poppler's pdfsig and
# NSS's certutil (the independent check of sealed PDFs) and, for the browser tests, Debian's
# Chromium. Installed when we are root; otherwise named so that an operator can.
FANDOL := /usr/share/texlive/texmf-dist/fonts/opentype/public/fandol
system:
	@missing=""; lean=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	[ -e /usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc ] || missing="$$missing fonts-noto-cjk"; \
	[ -e $(FANDOL)/FandolFang-Regular.otf ] || lean="$$lean texlive-lang-chinese"; \
	ls /usr/lib/*/libharfbuzz-subset.so.0 >/dev/null 2>&1 || lean="$$lean libharfbuzz-subset0"; \
	command -v pdfsig >/dev/null || missing="$$missing poppler-utils"; \
	command -v certutil >/dev/null || missing="$$missing libnss3-tools"; \
	if [ -n "$$missing$$lean" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq || true) \
	    && { [ -z "$$missing" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; } \
	    && { [ -z "$$lean" ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$lean >/dev/null; }; \
	  else echo "please install:$$missing$$lean (Debian packages)"; exit 1; fi; \
	fi

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "the browser tests need Debian's chromium (/usr/bin/chromium)"; exit 1; fi; \
	fi

assets: $(HTMX_DST)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end libraries from npm, copied into static (never committed).
$(HTMX_DST): node_modules/.package-lock.json
	mkdir -p $(VENDOR)/bpmn-js
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	cp node_modules/bpmn-js/dist/bpmn-modeler.production.min.js $(VENDOR)/bpmn-js/
	cp -r node_modules/bpmn-js/dist/assets/. $(VENDOR)/bpmn-js/assets/
	cp node_modules/camunda-bpmn-moddle/resources/camunda.json $(VENDOR)/bpmn-js/camunda-moddle.json
	touch $@

messages: $(VENV)/.installed
	cd src/tongban && TONGBAN_HOME=../../var ../../$(TONGBAN) compilemessages --ignore=.venv -v 0

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	$(BIN)/lint-imports

fmt: $(VENV)/.installed
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

test: lint test-unit test-e2e ## the whole suite: lint, unit/integration, browser

test-unit: install
	$(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

test-e2e: install chromium
	$(BIN)/pytest -m e2e tests/e2e $(PYTEST_ARGS)

# The same suite against a throw-away PostgreSQL cluster (started and stopped here).
test-postgres: install
	bash .ci/with-postgres.sh $(BIN)/pytest -m "not e2e" $(PYTEST_ARGS)

bench: install
	$(TONGBAN) bench audit --quick
	$(TONGBAN) bench api_me --quick
	$(TONGBAN) bench workflow --quick
	$(TONGBAN) bench seals --quick
	$(TONGBAN) bench search --quick
	$(TONGBAN) bench recognition
	$(TONGBAN) bench recognition --corpus holdout

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
