# Movie Nexus. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test test-fast lint format schema worker beat bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate_all --noinput
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schema: install
	$(BIN)/python manage.py spectacular --validate --fail-on-warn --file var/schema.yaml

worker: install
	$(BIN)/celery -A config worker --loglevel INFO --concurrency 2

beat: install
	$(BIN)/celery -A config beat --loglevel INFO --schedule var/celerybeat-schedule

bench: install
	bash bench/run.sh

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
