# Thin wrapper around CMake and ctest; see README.md.
SHELL    := /bin/bash
BUILD    ?= build
SANITIZE ?=
CTEST_ARGS ?=
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
DB       ?= var/labelcoop.db

# Debian 12 packages the build and the tests need.
DEBS = build-essential cmake pkg-config liblua5.4-dev lua5.4 lua-busted \
       libsqlite3-dev sqlite3 libcurl4-openssl-dev libmicrohttpd-dev \
       libsodium-dev libcjson-dev libcairo2-dev libcsv-dev libxlsxwriter-dev libmagic-dev libssl-dev fonts-dejavu-core \
       poppler-utils zip unzip curl chromium valgrind clamav-daemon \
       systemd groff-base dpkg-dev lua-dkjson cppcheck clang-tidy \
       python3-jsonschema python3-aiosmtpd

.PHONY: all deps build test check bench lint fuzz run install deb clean

all: build

# Installs what is missing when run as root; otherwise prints the command.
deps:
	@missing=$$(for p in $(DEBS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' \
	    || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "missing packages; run as root: apt-get install $$missing"; exit 1; \
	  fi; \
	fi
	@# Node.js: Debian's when there is none (a machine may have its own, with npm).
	@command -v node >/dev/null || { [ "$$(id -u)" = 0 ] && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	@# Debian 12's nodejs is 18: playwright-core is pinned to 1.61, the last to run on it.
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 18 ? 1 : 0)' || \
	  { echo "the browser tests need Node.js 18 or later (Debian 12: apt-get install nodejs)"; exit 1; }
	@# The browser tests npm packages: playwright-core (drives Debian Chromium), axe-core.
	@# npm ls fails when what is installed is not what package.json pins.
	@npm ls --prefix tests/browser >/dev/null 2>&1 || \
	  npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DSANITIZE=$(SANITIZE)

build: deps $(BUILD)/CMakeCache.txt
	@cmake -S . -B $(BUILD) -DSANITIZE=$(SANITIZE) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# CTEST_ARGS selects tests, e.g. CTEST_ARGS="-LE browser".
test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# The quick loop: the unit tests, the rule specs and the functional specs,
# without the browser run and the two slow specs (load, login throttle).
check: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -LE browser \
	  -E 'load_spec|login_throttle_spec' $(CTEST_ARGS)

# Benchmarks against baselines measured in the same run; figures printed and
# written to $(BUILD)/bench.json. Targets are reported, not asserted.
bench: build
	LABELCOOP_BIN=$(abspath $(BUILD))/labelcoop \
	  LABELCOOP_BENCH=$(abspath $(BUILD))/tests/labelcoop_bench \
	  LABELCOOP_ROOT=$(CURDIR) bash tests/bench/run.sh

# Static analysis of core/: cppcheck (clean) and clang-tidy (.clang-tidy).
# clang-tidy runs once per file: clang-tidy 14 given several files in one
# process recognises va_start only in the first one it analyses, and reports
# every later va_list as uninitialised (clang-analyzer-valist.Uninitialized).
# clang-tidy leaves out lpattern.c: Lua's own matcher, kept line for line
# with lstrlib.c.
lint: build
	cppcheck --enable=warning,performance,portability --library=tests/lint/cjson.cfg \
	  --inline-suppr --quiet --std=c11 --error-exitcode=1 -I core core/*.c
	printf '%s\n' $(filter-out core/lpattern.c,$(wildcard core/*.c)) | \
	  xargs -n 1 -P $(JOBS) clang-tidy -p $(BUILD) --quiet

# libFuzzer, FUZZ_SECONDS per target: seeds from tests/fuzz/corpus, what it
# finds kept under $(BUILD)-fuzz/corpus; a crash fails the target.
FUZZ_SECONDS ?= 30
FUZZ_TARGETS = bodies evaluate http json rules sign
fuzz: deps
	CC=clang cmake -S . -B $(BUILD)-fuzz -DFUZZ=ON >/dev/null
	cmake --build $(BUILD)-fuzz -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
	  echo "fuzz $$t ($(FUZZ_SECONDS) s)"; \
	  mkdir -p $(BUILD)-fuzz/corpus/$$t; \
	  $(BUILD)-fuzz/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(BUILD)-fuzz/ \
	    $(BUILD)-fuzz/corpus/$$t tests/fuzz/corpus/$$t 2>&1 | \
	    grep -E "^(#[0-9]+[[:space:]]+DONE|stat::(number_of_executed_units|peak_rss_mb)|==|SUMMARY)" \
	    || true; \
	  [ $${PIPESTATUS[0]} -eq 0 ] || exit 1; \
	done

# Demo data on first start only (the logins are printed once), then serve.
run: build
	$(BUILD)/labelcoop demo --db $(DB) --rules rules
	$(BUILD)/labelcoop serve --db $(DB) --rules rules --web web --listen 127.0.0.1:8080

# The binary, the default rules, pages, scripts and plugins, the man page,
# bash completion and the systemd unit, under PREFIX (DESTDIR honoured).
PREFIX ?= /usr/local
install: build
	cmake -S . -B $(BUILD) -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	cmake --build $(BUILD) -j $(JOBS) --target labelcoop
	DESTDIR=$(DESTDIR) cmake --install $(BUILD)

# A Debian package of the same files, prefix /usr: $(BUILD)/labelcoop_*.deb.
deb: build
	cd $(BUILD) && cpack -G DEB
	@ls $(BUILD)/*.deb

clean:
	rm -rf $(BUILD)
