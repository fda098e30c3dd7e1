# Every target sets up what it needs: a fresh clone needs only `make build` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
TESTDEPS := $(VENV)/.test-installed
BENCHDEPS := $(VENV)/.bench-installed
PELICAN := $(VENV)/pelican/.installed
NODE := node_modules/.installed
SOURCE ?= .

.PHONY: build serve test check lint check-site bench bench-large profile golden weights screenshots deploy clean

$(RUNTIME): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(TESTDEPS): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(RUNTIME) $@

$(BENCHDEPS): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	touch $(RUNTIME) $(TESTDEPS) $@

# Pelican pins an older Pygments than sitegen's, so it lives in a venv of its own.
$(PELICAN): bench/pelican/requirements.txt
	test -x $(VENV)/pelican/bin/python || $(PYTHON) -m venv $(VENV)/pelican
	$(VENV)/pelican/bin/python -m pip install --quiet --disable-pip-version-check -r $<
	touch $@

$(NODE): package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

build: $(RUNTIME)  ## build the site in SOURCE (default: the demo site) into public/
	$(BIN)/sitegen build --source $(SOURCE)

serve: $(RUNTIME)  ## dev server on http://127.0.0.1:8000/ with live reload
	$(BIN)/sitegen serve --source $(SOURCE)

test: $(TESTDEPS) $(NODE)  ## lint, type-check and run the whole test suite
	$(BIN)/ruff check sitegen tests bench
	$(BIN)/mypy
	$(BIN)/pytest

check: test  ## what to run before every commit

lint: $(TESTDEPS)
	$(BIN)/ruff check sitegen tests bench
	$(BIN)/mypy

check-site: $(RUNTIME)  ## build if needed, then check links, feeds and sitemap in public/
	$(BIN)/sitegen check --source $(SOURCE)

golden: $(TESTDEPS)  ## refresh the golden output tree after an intended change
	SITEGEN_UPDATE_GOLDEN=1 $(BIN)/pytest tests/test_golden.py

bench: $(BENCHDEPS) $(PELICAN)  ## build the standard and heavy corpora with sitegen, Hugo and Pelican, print tables
	$(BIN)/python -m bench.run

bench-large: $(BENCHDEPS)  ## sitegen alone on 100,000 posts of each corpus: cold, one edit, no change
	$(BIN)/python -m bench.run --large

SCENARIO ?= edit
profile: $(BENCHDEPS)  ## pyinstrument's call tree of one build of 10,000 posts (SCENARIO=edit, cold or serve)
	$(BIN)/python -m bench.profile --scenario $(SCENARIO)

weights: $(RUNTIME)  ## gzipped bytes of each page type of the demo site against the 14 KB budget
	$(BIN)/python -m bench.weights

screenshots: $(TESTDEPS)  ## PNGs of each page type at 1280 px and 390 px, light and dark
	$(BIN)/python -m bench.screenshots

deploy: check-site  ## publish public/ with DEPLOY_CMD, only when `sitegen check` passes
	@test -n "$(DEPLOY_CMD)" || { echo "set DEPLOY_CMD, e.g. make deploy DEPLOY_CMD='rsync -a --delete public/ host:/var/www/blog/'"; exit 2; }
	$(DEPLOY_CMD)

clean:
	rm -rf public .cache .pytest_cache .mypy_cache .ruff_cache build dist
