# Two commands matter: `make run` (serve on SQLite with demo data) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# Links in emails and the printed logins point where `make run` serves, unless SITE_URL is set.
SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test setup deps dev-deps migrate models demo lint format bench load clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

deps: $(VENV)/.runtime
dev-deps: $(VENV)/.dev

migrate: deps
	$(PY) manage.py migrate --noinput

models: migrate
	@for f in fixtures/*.yaml; do $(PY) manage.py load_model "$$f" --publish || exit 1; done

demo: models
	SITE_URL="$(SITE_URL)" $(PY) manage.py seed_demo

setup: demo

run: setup
	@echo ""
	@echo "Serving on http://127.0.0.1:$(PORT)/  (Ctrl-C to stop). Log in with a demo account above."
	@echo "Links in emails point to $(SITE_URL)/ (set SITE_URL to change them)."
	@echo "A background worker renders PDF reports beside the server; Ctrl-C stops both."
	@export SITE_URL="$(SITE_URL)"; \
	$(PY) manage.py db_worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: dev-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: dev-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Every figure of issue 12 beside its goal, on a database of its own (var/bench/bench.sqlite3, or srsa_bench
# when DATABASE_URL names PostgreSQL); JSON in var/bench/. E.g. make bench BENCH_ARGS=--quick
bench: dev-deps
	$(PY) manage.py bench $(BENCH_ARGS)

# gunicorn + PostgreSQL on 127.0.0.1 (recreates database srsa_load): 50 customers for 150 s, each taking
# 1-3 s over a control, two connection kills; prints autosave p95 and errors against their goals; fails on a
# lost acknowledged answer or a 5xx. E.g. make load LOAD_ARGS="--users 10", or --think 0-0.05 to flood it.
load: dev-deps
	$(PY) manage.py load_test $(LOAD_ARGS)

clean:
	rm -rf $(VENV) var
