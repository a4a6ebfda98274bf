# The newcomer's two commands are `make run` and `make test`; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Two workers: this machine has two cores.
PYTEST_WORKERS ?= 2

.PHONY: help setup run test lint format typecheck check bench eval db stop clean-db lock messages

help:
	@echo "make run        set up, start the database, load the demo and serve http://$(HOST):$(PORT)"
	@echo "                (make run PORT=8041 serves another port; emailed links follow it)"
	@echo "make test       set up, then run every test"
	@echo "make check      lint, types and tests, as CI runs them"
	@echo "make bench      benchmarks; writes reports/bench.md"
	@echo "make eval       suggested topics and name marks on the real stories of ../shared/data;"
	@echo "                writes reports/eval.md"
	@echo "make stop       stop the embedded PostgreSQL server"
	@echo "make messages   gather the strings to translate into locale/cy (needs GNU gettext) and compile"
	@echo "make lock       re-resolve requirements/*.lock after editing pyproject.toml"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; this is " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the lock file changes, so a second run starts in seconds.
$(STAMP): requirements/dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements/dev.lock
	@touch $@

# The translation catalogues are compiled on every set-up (only those that changed).
setup: $(STAMP)
	@$(BIN)/python -m config.catalogues

run: setup
	$(BIN)/python manage.py migrate --noinput
	SITE_URL="$${SITE_URL:-http://$(HOST):$(PORT)}" $(BIN)/python manage.py load_demo
	@echo "\nServing http://$(HOST):$(PORT)/ (Ctrl-C stops the site and the embedded database)\n"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: setup
	$(BIN)/mypy

check: lint typecheck test

BENCH_SCALE ?= 10000
BENCH_STORIES ?= 100000
# The second phase: the organisation page with statistics at scale, in its own database.
BENCH_FIGURES_STORIES ?= 1000000
BENCH_FIGURES_ORGS ?= 1000
# More options, e.g. BENCH_ARGS=--skip-figures, --only-figures, --skip-load or --only-load.
BENCH_ARGS ?=
bench: setup
	$(BIN)/python -m tests.bench.run --scale $(BENCH_SCALE) --stories $(BENCH_STORIES) \
		--figures-stories $(BENCH_FIGURES_STORIES) --figures-orgs $(BENCH_FIGURES_ORGS) \
		--report reports/bench.md $(BENCH_ARGS)

# Text intelligence on the real stories (../shared/data, or CAREVOICE_SHARED_DATA).
eval: setup
	$(BIN)/python -m tests.eval.report

db: setup
	$(BIN)/python -m config.embedded_db start

stop: setup
	$(BIN)/python -m config.embedded_db stop

clean-db: stop
	rm -rf .pgdata .pgdata.run

# Extraction needs GNU gettext (xgettext, msgmerge: Debian's gettext package); the
# compiled catalogues do not. See docs/languages.md.
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=node_modules --ignore=staticfiles --ignore=reports --ignore=var
messages: setup
	$(BIN)/python manage.py makemessages --locale cy --add-location file --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python -m config.catalogues

lock: setup
	$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements/base.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links --extra dev -o requirements/dev.lock pyproject.toml
