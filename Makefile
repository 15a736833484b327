# ruralmap — two commands: `make demo` and `make test`. Both install missing system packages first.
SWIFT      ?= swift
PREFIX     ?= /usr/local
DESTDIR    ?=
BUILD_DEPS := libsqlite3-dev libcurl4-openssl-dev libproj-dev zlib1g-dev
TEST_DEPS  := gdal-bin python3 python3-venv systemd chromium chromium-driver librsvg2-bin openssl
# Selenium for the browser tests, from PyPI into a virtualenv outside the repository.
TEST_VENV  ?= $(HOME)/.cache/ruralmap-test/venv
SELENIUM   := selenium==4.51.0
BIN        := .build/debug/ruralmapd
DEMO_CONFIG := --config Config/demo.toml

.PHONY: all deps test-deps test-venv build demo test lint release install clean bench bench-scaling fuzz

all: build

# Installs what is missing with apt-get (as root, or through sudo), else says what to install.
define install_missing
	@missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "error: missing system packages:$$missing — install them with: sudo apt-get install$$missing" >&2; exit 1; fi; \
	fi
endef

deps:
	$(call install_missing,$(BUILD_DEPS))

test-deps:
	$(call install_missing,$(BUILD_DEPS) $(TEST_DEPS))

build: deps
	$(SWIFT) build

# The main job on the embedded fictional territory, in a fresh store under var/demo.
demo: build
	rm -rf var/demo
	$(BIN) run $(DEMO_CONFIG)
	@echo; echo "== Top candidates =="; $(BIN) candidates --limit 5 $(DEMO_CONFIG)
	@echo; echo "== One commune's card =="; $(BIN) commune 99002 $(DEMO_CONFIG)
	$(BIN) map $(DEMO_CONFIG) --output var/demo/map.svg
	@echo; echo "Map: var/demo/map.svg — or run '$(BIN) serve $(DEMO_CONFIG)' and open http://127.0.0.1:8737/?dep=99"

test: test-deps test-venv
	$(SWIFT) build --build-tests
	RURALMAP_TEST_PYTHON=$(TEST_VENV)/bin/python $(SWIFT) test --skip-build

# swift-format ships with the toolchain; the rules are in .swift-format (4 spaces, 120 columns).
lint:
	$(SWIFT) format lint --strict -r Sources Tests Package.swift

test-venv:
	@$(TEST_VENV)/bin/python -c 'import selenium' 2>/dev/null || \
	  { python3 -m venv $(TEST_VENV) && $(TEST_VENV)/bin/pip install -q $(SELENIUM); }

release: deps
	$(SWIFT) build -c release

UNITDIR ?= /etc/systemd/system

# Installs the binary, the category table, the docs, the config (never overwriting an operator's)
# and the systemd units (their ExecStart follows PREFIX).
install: release
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/etc/ruralmapd $(DESTDIR)$(PREFIX)/share/ruralmapd $(DESTDIR)$(PREFIX)/share/doc/ruralmapd $(DESTDIR)$(UNITDIR)
	install -m 0755 .build/release/ruralmapd $(DESTDIR)$(PREFIX)/bin/ruralmapd
	install -m 0644 data/categories.csv $(DESTDIR)$(PREFIX)/share/ruralmapd/categories.csv
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/ruralmapd/README.md
	[ -e $(DESTDIR)/etc/ruralmapd/ruralmapd.toml ] || \
	  sed 's#/usr/local/share/ruralmapd#$(PREFIX)/share/ruralmapd#' Config/ruralmapd.toml > $(DESTDIR)/etc/ruralmapd/ruralmapd.toml
	for u in ruralmapd.service ruralmapd-ingest.service ruralmapd-ingest.timer; do \
	  sed 's#/usr/local/#$(PREFIX)/#g' systemd/$$u > $(DESTDIR)$(UNITDIR)/$$u; chmod 0644 $(DESTDIR)$(UNITDIR)/$$u; done

clean:
	rm -rf .build var

# libFuzzer on the CSV reader, the JSON reader and the config parser (FUZZ_SECONDS each, default 60).
fuzz: deps
	Fuzz/run.sh

# National-scale benchmark (release build; inputs generated once into ~/.cache/ruralmap-bench).
BENCH_DEPS := wrk sqlite3 time

bench: deps
	$(call install_missing,$(BENCH_DEPS))
	$(SWIFT) build -c release
	python3 Benchmarks/bench.py

bench-scaling: deps
	$(call install_missing,$(BENCH_DEPS))
	$(SWIFT) build -c release
	for s in 0.25 0.5 1; do BENCH_SCALE=$$s BENCH_OUT=.build/bench/summary-$$s.json python3 Benchmarks/bench.py || exit 1; done
