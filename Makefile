# Quick start: `make run` serves the site with its worker; `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: install run test lint bench messages

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py busy_calendars_ensure
	$(BIN)/python manage.py privacy_purge_ensure
	@echo "Serving http://127.0.0.1:8000 with a task worker (Ctrl-C stops both)."
	trap 'kill 0' EXIT INT TERM; \
	$(BIN)/python manage.py db_worker --queue-name '*' & \
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# `make test` runs the suite on $(TEST_WORKERS) xdist workers, each with its own test database
# (pytest-django suffixes its name: .test-db.sqlite3_gw0, test_creneau_gw0); race and browser
# tests stay together on one worker (tests/conftest.py). It prints the 15 slowest tests, and
# its last line is pytest's summary. A subset: make test PYTEST_ARGS="tests/pages -x";
# one process, e.g. for pdb: make test TEST_WORKERS=0 PYTEST_ARGS="tests/pages/test_pages.py --pdb".
TEST_WORKERS ?= 2

test: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -n $(TEST_WORKERS) \
		--dist loadgroup --durations=15 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo

bench: install
	$(BIN)/python bench/run.py

messages: install
	cd $(CURDIR) && $(BIN)/python manage.py makemessages -l fr -l en --no-obsolete \
		--ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'bench/*' --ignore 'tests/*'
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'
