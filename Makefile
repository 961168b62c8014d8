# Tỉnh ủy số — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PORT   ?= 8000

.PHONY: run test install messages migrate demo bench lint typecheck clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Compiles every locale's django.po into django.mo (Babel, so no system gettext is needed).
messages: $(STAMP)
	$(BIN)/pybabel compile --statistics -D django -d tinhuy/locale

migrate: install messages
	$(BIN)/tinhuy migrate --no-input

demo: migrate
	$(BIN)/tinhuy demo

run: demo
	$(BIN)/tinhuy serve --port $(PORT)

lint: install
	$(BIN)/ruff check .

typecheck: install
	$(BIN)/mypy tinhuy

test: install messages
	$(BIN)/ruff check .
	$(BIN)/pytest

bench: install messages
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var/*.sqlite3*
