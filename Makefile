# matchstage — `make demo` runs a match on the shipped samples, `make test` runs the test suite.
# Both install into .venv first when needed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: all install demo test lint typecheck samples catalog patterns taxonomy-import bench crossval clean

all: test lint typecheck

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@# Compiled once here (pip does so for installed packages): each run then reads the bytecode, even where
	@# PYTHONDONTWRITEBYTECODE keeps Python from writing it.
	$(BIN)/python -m compileall -q src/matchstage
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/matchstage match samples/offres samples/candidatures --top 5 -o out/shortlist.csv -o out/shortlist.json \
		-o out/shortlist.html
	@echo "HTML report: file://$(CURDIR)/out/shortlist.html (open it in a browser)"

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts bench

typecheck: $(STAMP)
	$(BIN)/mypy

samples: $(STAMP)
	$(BIN)/python scripts/make_samples.py

# The message template from the code (Python, templates, click help), merged into the French .po, compiled to .mo.
# The shipped taxonomy's terms, lemmatised once (models/taxonomy/patterns.json.gz): after editing the taxonomy.
patterns: $(STAMP)
	$(BIN)/python scripts/build_patterns.py

# ESCO and ROME 4.0 (../shared/taxonomies) into models/taxonomy/imported/*.toml (settings: imported/import.toml),
# then the patterns. The analysed terms are kept in out/ for the next run (a first run takes minutes).
taxonomy-import: $(STAMP)
	$(BIN)/pip install --quiet 'wordfreq>=3.1,<4'
	$(BIN)/python scripts/import_taxonomies.py --memo out/taxonomy-import.pickle
	$(BIN)/python scripts/build_patterns.py

catalog: $(STAMP)
	$(BIN)/python scripts/catalog.py

# make bench BENCH_ARGS="--naive-sample 200 --only 0,1,2" passes options to bench/run.py.
bench: $(STAMP)
	@# The code as it is now, compiled (PYTHONDONTWRITEBYTECODE would otherwise recompile edited modules each run).
	$(BIN)/python -m compileall -q src/matchstage
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Leave-one-set-out cross-validation of the parameters over every labelled set (scripts/crossval.py; a few minutes).
# make crossval CROSSVAL_ARGS="--quick" searches fewer parameters.
crossval: $(STAMP)
	$(BIN)/python scripts/crossval.py $(CROSSVAL_ARGS)

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
