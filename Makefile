# Đối thoại — every command needed on a fresh machine. `make run` and `make test` are the two that matter.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app dialogue:create_app
STAMP := $(VENV)/.installed-$(shell md5sum requirements.txt | cut -c1-12)
MO := dialogue/translations/en/LC_MESSAGES/messages.mo
PO := dialogue/translations/en/LC_MESSAGES/messages.po
HOST ?= 127.0.0.1
PORT ?= 8000
# What the server imports from this folder; `make serve` compiles it to bytecode first, as an installed package
# would be, so a worker neither compiles it at each start nor keeps the compiler's leftovers on its heap.
APP_CODE := dialogue config.py wsgi.py

.PHONY: install run serve test lint format translations extract-messages migrate migration seed clean system-packages

install: $(STAMP) $(MO)

$(STAMP): requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

$(MO): $(PO) $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -d dialogue/translations -D messages
	touch $(MO)

translations: $(MO)

# Re-extract the strings after changing templates or messages, then translate the new ones in $(PO).
extract-messages: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o dialogue/translations/messages.pot .
	$(VENV)/bin/pybabel update -i dialogue/translations/messages.pot -d dialogue/translations -l en --no-fuzzy-matching

migrate: install
	$(FLASK) db upgrade

# make migration m="add a column": a new Alembic revision from the models (review it before committing).
migration: install
	$(FLASK) db migrate -m "$(m)"

seed: migrate
	$(FLASK) seed-demo

# Development: SQLite in instance/, threading Socket.IO, demo data on the first run, on http://127.0.0.1:5000
run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo "Đối thoại: http://127.0.0.1:5000"
	$(FLASK) run --host 127.0.0.1 --port 5000

# Production: gunicorn, one gevent worker per process (Socket.IO needs sticky clients), many connections each.
serve: install
	@test -n "$$SECRET_KEY" || (echo "SECRET_KEY must be set" >&2; exit 1)
	DIALOGUE_CONFIG=production $(FLASK) db upgrade
	$(PY) -m compileall -q $(APP_CODE)
	DIALOGUE_CONFIG=production $(VENV)/bin/gunicorn -k gevent -w 1 --worker-connections 5000 \
		--bind $(HOST):$(PORT) --graceful-timeout 10 wsgi:app

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Debian's packages the suite needs (Chromium, LibreOffice, poppler, nginx, ...) and a Redis: installed or started
# when this runs as root, else it stops at once and prints the command to run.
system-packages:
	deploy/system-packages.sh

# Checks the machine, runs ruff, then the suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL names one.
# With REQUIRE_POSTGRES=1 a missing PostgreSQL is a failure.
test: system-packages
	@$(MAKE) --no-print-directory lint
	$(VENV)/bin/pytest -q -p no:cacheprovider --db sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		$(VENV)/bin/pytest -q -p no:cacheprovider --db postgres; \
	elif [ "$$REQUIRE_POSTGRES" = "1" ]; then \
		echo "REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set" >&2; exit 1; \
	else \
		echo "TEST_DATABASE_URL not set: PostgreSQL run skipped"; \
	fi

clean:
	rm -rf $(VENV) instance/dialogue.db
