# Two entry points (README quick start): `make demo` and `make test`.
# Each creates the virtualenv and installs what it needs by itself.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
# pywb (the replay check of our archives in tests) lives in a virtualenv of its own: it pins
# brotlipy, which shadows the Brotli decoder Scrapy uses, and a redis client too old for scrapy-redis.
PYWB_VENV  ?= .venv-pywb
PYWB_STAMP := $(PYWB_VENV)/.installed-stamp

.PHONY: demo test lint clean chromium wget redis nginx bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(PYWB_STAMP):
	$(PYTHON) -m venv $(PYWB_VENV)
	$(PYWB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(PYWB_VENV)/bin/python -m pip install --quiet 'pywb>=2.8,<3'
	touch $(PYWB_STAMP)

## Crawl the bundled mock outlets on 127.0.0.1 with the real spiders; print a summary.
demo: $(STAMP)
	$(BIN)/scrapy demo

## Headless Chromium (Debian's package) for the crawl report's screenshot test; as root, like CI.
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

## wget (Debian's package) writes the third-party WARC of tests/test_replay_corpus.py; as root, like CI.
wget:
	@command -v wget >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wget; }

## redis-server (Debian's package): tests/test_distributed.py starts its own; as root, like CI.
redis:
	@command -v redis-server >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; }

## nginx and its echo module (Debian's packages) serve the benchmark's synthetic outlet; as root.
nginx:
	@test -x /usr/sbin/nginx -a -f /usr/lib/nginx/modules/ngx_http_echo_module.so || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-http-echo; }

## Cost per page against the peers (docs/performance.md); takes about an hour and a half.
bench: $(STAMP) nginx wget
	$(BIN)/python bench/run.py --n 2000 20000

## Lint, then the whole test suite.
test: $(STAMP) $(PYWB_STAMP) chromium wget redis
	$(BIN)/ruff check .
	$(BIN)/python tests/services.py
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(PYWB_VENV) .pytest_cache
