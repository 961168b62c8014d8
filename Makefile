# Tỉnh ủy số — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.installed-dev-stamp
PORT   ?= 8000
# `make test` runs the suite in one process per CPU (pytest-xdist); TEST_WORKERS=0 runs it in one.
TEST_WORKERS ?= auto

.PHONY: run test install install-dev messages migrate demo bench bench-national load lint typecheck clean

# `make run` installs what the application needs; `make test` adds the development tools.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $(STAMP)

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(DEV_STAMP)

install: $(STAMP)
install-dev: $(DEV_STAMP)

# Compiles every locale's django.po into django.mo (Babel, so no system gettext is needed).
messages: $(STAMP)
	$(BIN)/pybabel compile --statistics -D django -d tinhuy/locale

migrate: install messages
	$(BIN)/tinhuy migrate --no-input

demo: migrate
	$(BIN)/tinhuy demo

run: demo
	$(BIN)/tinhuy serve --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .

typecheck: install-dev
	$(BIN)/mypy tinhuy

test: install-dev messages
	$(BIN)/ruff check .
	$(BIN)/mypy tinhuy
	$(BIN)/pytest -n $(TEST_WORKERS)

bench: install-dev messages
	$(BIN)/python -m bench
	$(BIN)/python -m bench.study

# The whole country on the local PostgreSQL (docs/benchmarks.md, "The whole country"): 34
# provinces, 50,000 grassroots organisations, 5.6 million members (sample data, generated once
# and kept in tinhuy_national_bench); the study dashboard nationwide and per province.
bench-national: install-dev messages
	$(BIN)/python -m bench.national

# Load test (docs/operations.md, "Load test"): gunicorn with production settings under locust,
# 32 users for 60 s on SQLite and on the local PostgreSQL; exits non-zero on any failed request.
load: install-dev messages
	$(BIN)/python -m load

clean:
	rm -rf $(VENV) var/*.sqlite3*
