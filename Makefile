# The two commands: `make run` (the tool, with demo data) and `make test` (the whole suite).
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
ADDR ?= 127.0.0.1:8000
WORKER_CONCURRENCY ?= 2
# Tests run against PostgreSQL and Redis on localhost unless these are set.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/factcheck
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: install run test lint format bench migrate

$(PY):
	python3 -m venv $(VENV)

# Reinstall only when the dependency pins change.
$(VENV)/.installed: pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py seed_demo
	@echo "Web server on http://$(ADDR)/ (admin at /admin/), Celery worker beside it. Ctrl-C stops both."
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(VENV)/bin/celery -A factcheck worker --loglevel=INFO --concurrency=$(WORKER_CONCURRENCY) \
	  --queues=celery,models --beat --schedule=$(VENV)/celerybeat-schedule & worker=$$!; \
	$(PY) manage.py runserver $(ADDR)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: lint
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" \
	CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)}" \
	IMPORT_FETCH_ALLOW_PRIVATE=true AXES_ENABLED=false \
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/segmentation_bench.py
