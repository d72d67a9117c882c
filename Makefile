# Movie Nexus. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# Every queue of config/settings/queues.py; deployments run one worker per kind instead.
CELERY_QUEUES ?= default,recommendations,tmdb,notifications
# make test runs one pytest process per core (pytest-xdist), at most 4, each test file whole in
# one process; TEST_WORKERS=0 runs everything in this one.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); [ "$$n" -gt 4 ] && n=4; echo $$n)

.PHONY: install run test test-at lint format schema worker beat bench bench-loggedin clean \
	stack stack-stop \
	stack-status stack-packages stack-test

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
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

# The same tests on SQLite with the clock set to AT (UTC) by Debian's libfaketime, ticking from
# there: the default crosses midnight, a Sunday into a Monday, and a month and a year, about 30
# seconds into the run. A test that assumes the time of day fails here, not in CI at 23:58.
AT ?= 2028-12-31 23:59:30
test-at: install
	@command -v faketime >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -q --no-install-recommends faketime; }
	TZ=UTC faketime '$(AT)' env -u DATABASE_URL -u REDIS_URL \
	  $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile -p no:cacheprovider

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
	$(BIN)/celery -A config worker --loglevel INFO --concurrency 2 --queues $(CELERY_QUEUES)

beat: install
	$(BIN)/celery -A config beat --loglevel INFO --schedule var/celerybeat-schedule

# The anonymous benchmark, then the logged-in one (bench/loggedin/run.sh, issue 15).
bench: install
	bash bench/run.sh
	bash bench/loggedin/run.sh

bench-loggedin: install
	bash bench/loggedin/run.sh

# The production shape on one machine (deploy/stack/stack.sh, docs/deployment.md): nginx, two
# servers, PgBouncer, a PostgreSQL primary and streaming replica, Redis, workers and beat.
STACK_DEBS := nginx-light pgbouncer wrk
stack-packages:
	@missing=""; for cmd in nginx pgbouncer wrk; do command -v $$cmd >/dev/null || missing=1; done; \
	if [ -n "$$missing" ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -q --no-install-recommends $(STACK_DEBS); fi

stack: install stack-packages
	bash deploy/stack/stack.sh start

stack-stop:
	bash deploy/stack/stack.sh stop

# The tests that need the running stack's replica (they skip elsewhere).
stack-test: install
	set -a && . var/stack/env && set +a && env -u DATABASE_URL -u DATABASE_REPLICA_URLS \
	  -u REDIS_URL -u DJANGO_SETTINGS_MODULE -u DATABASE_POOLER \
	  $(BIN)/pytest -q -p no:randomly apps/core/tests/test_replication.py

stack-status:
	bash deploy/stack/stack.sh status

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
