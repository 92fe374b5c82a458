# The two commands: `make run` (the tool, with demo data) and `make test` (the whole suite).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
ADDR ?= 127.0.0.1:8000
# Public claim links (ClaimReview url, feeds) point at the server `make run` starts, unless
# PUBLIC_BASE_URL is set. ADDR may be host:port or a bare port, as runserver takes it.
RUN_BASE_URL := http://$(if $(findstring :,$(ADDR)),$(ADDR),127.0.0.1:$(ADDR))
WORKER_CONCURRENCY ?= 2
# Tests run against PostgreSQL and Redis on localhost unless these are set.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/factcheck
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: install run test lint format bench migrate messages

$(PY):
	python3 -m venv $(VENV)

# Reinstall only when the dependency pins change.
$(VENV)/.installed: pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

# The JavaScript linter (biome), pinned in package-lock.json; `npm ci` installs exactly that.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# DEBUG is off unless set; the laptop targets turn it on (and with it the development SECRET_KEY).
# On PostgreSQL the database DATABASE_URL names is created first if missing (no `createdb`).
migrate: install
	DEBUG=true $(PY) manage.py ensure_database
	DEBUG=true $(PY) manage.py migrate --noinput

# Three workers, so one kind of work never holds another: imports; model work (claim memory's
# embeddings, check-worthiness), whose backlog after a big import must not delay search indexing;
# and exports, search indexing and housekeeping (with beat: the stale-job sweep, the periodic
# export, the re-fetch). Prefetch 1 (settings) and -O fair: a busy process reserves nothing more.
CELERY_WORKER := $(VENV)/bin/celery -A factcheck worker --loglevel=INFO -O fair
run: migrate
	DEBUG=true $(PY) manage.py seed_demo
	@echo "Web server on $(RUN_BASE_URL)/ (log in as reviewer; admin at /admin/), Celery workers beside it. Ctrl-C stops all."
	@export PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-$(RUN_BASE_URL)}"; \
	echo "Public links: $$PUBLIC_BASE_URL"; \
	trap 'kill $$imports $$models $$jobs 2>/dev/null; wait $$imports $$models $$jobs 2>/dev/null' EXIT; \
	DEBUG=true $(CELERY_WORKER) -n imports@%h -Q imports --concurrency=$(WORKER_CONCURRENCY) & imports=$$!; \
	DEBUG=true $(CELERY_WORKER) -n models@%h -Q models --concurrency=1 & models=$$!; \
	DEBUG=true $(CELERY_WORKER) -n jobs@%h -Q exports,search,celery --concurrency=$(WORKER_CONCURRENCY) \
	  --beat --schedule=$(VENV)/celerybeat-schedule & jobs=$$!; \
	DEBUG=true $(PY) manage.py runserver $(ADDR)

# mypy: the whole project at a baseline, strict where the rules live (pyproject's [tool.mypy]).
# Settings import only with DEBUG on (no SECRET_KEY needed) for the django plugin.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	node_modules/.bin/biome lint --error-on-warnings
	DEBUG=true $(VENV)/bin/mypy

# A whole-suite run measures branch coverage and fails under [tool.coverage.report] fail_under.
# A run narrowed to some tests (a path, -k, -m, --lf, --deselect) is neither measured nor gated:
# a part covers less than the whole, and the 2-core machine is shared.
SUBSET := $(filter tests% -k -m --lf --last-failed --deselect,$(PYTEST_ARGS))
COV_ARGS := $(if $(SUBSET),,--cov --cov-report=term)

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Claim memory matches with its quick lexical model in tests; the E5 model's own tests ask for it.
test: lint
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" \
	CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)}" \
	DEBUG=true IMPORT_FETCH_ALLOW_PRIVATE=true AXES_ENABLED=false CLAIM_MATCHING_MODEL=lexical \
	$(VENV)/bin/pytest $(COV_ARGS) $(PYTEST_ARGS)

# Gather the translatable strings into locale/es (templates and Python; the ES modules), then
# compile them. Needs GNU gettext; the compiled .mo files are committed.
MESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore=bench --ignore=tests --ignore=docs
messages: install
	DEBUG=true $(PY) manage.py makemessages -l es --no-obsolete $(MESSAGES_IGNORE)
	DEBUG=true $(PY) manage.py makemessages -d djangojs -l es --no-obsolete $(MESSAGES_IGNORE)
	DEBUG=true $(PY) manage.py compilemessages -l es $(MESSAGES_IGNORE)

bench: install
	$(PY) bench/segmentation_bench.py
