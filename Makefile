# tdkt — build, run and test.  `make run` and `make test` are the two commands a newcomer needs;
# both install the Debian packages they miss (see scripts/deps.sh).

CC      ?= cc
CSTD    := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Wvla
INCS    := -I. -Ibuild/gen -I/usr/include/postgresql
LIBS    := -lcivetweb -lpq -ljansson -ljwt -largon2 -lxlsxwriter -lgmp -lcrypto -lpthread -lm
Q       := $(if $(V),,@)
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo dev)

REL_FLAGS  := -O2 -g -fno-omit-frame-pointer -DNDEBUG
ASAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

LIB_SRC  := $(sort $(wildcard lib/*.c))
API_SRC  := $(sort $(wildcard api/*.c))
CMD_SRC  := cmd/tdkt/main.c
DOCS     := build/gen/docs.html build/gen/docs.csp
EMBED    := $(sort $(wildcard sql/*.sql)) $(sort $(wildcard sql/demo/*.sql)) openapi.yaml $(DOCS)
GEN      := build/gen/embedded.c
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

DEB_PACKAGES := build-essential libcivetweb-dev libpq-dev libjansson-dev libjwt-dev libargon2-dev \
	libssl-dev postgresql postgresql-contrib python3 python3-pytest python3-requests \
	python3-jsonschema python3-hypothesis python3-yaml python3-openpyxl openssl libxlsxwriter-dev libgmp-dev
BENCH_PACKAGES := wrk
FUZZ_PACKAGES  := clang libclang-rt-14-dev
STRESS_PACKAGES := nginx curl
# what the API suite checks with: promtool (GET /metrics), a headless browser (GET /docs)
TEST_PACKAGES  := prometheus chromium python3-pil
CLUSTER_PACKAGES := nginx curl wrk

.PHONY: all deps build run test unit api-test bench bench-peer bench-reports bench-evaluations bench-eligibility bench-dossiers bench-public bench-documents stress cluster cluster-bench fuzz clean lint contract
all: build

deps:
	@scripts/deps.sh $(DEB_PACKAGES)

build: build/tdkt

# --- code generation: SQL and the contract are compiled into the binary --------------------
build/embed: scripts/embed.c
	@mkdir -p build
	$(Q)$(CC) $(CSTD) $(WARN) -O1 -o $@ $<

# the /docs page: Redoc's HTML made from the contract, and its Content-Security-Policy; the npm
# tools are installed once (network), after which this needs none
NPM_TOOLS := tests/contract/node_modules/.tdkt-lock
$(NPM_TOOLS): tests/contract/package-lock.json scripts/npm-tools.sh
	@scripts/npm-tools.sh
	@touch $@
build/gen/docs.csp: build/gen/docs.html
build/gen/docs.html: openapi.yaml scripts/docs.py $(NPM_TOOLS)
	@mkdir -p build/gen
	@echo '  DOCS  $@'
	$(Q)scripts/docs.py openapi.yaml build/gen/docs.html build/gen/docs.csp

$(GEN): build/embed $(EMBED)
	@mkdir -p build/gen
	$(Q)build/embed $(EMBED) > $@.tmp && mv $@.tmp $@

# --- release build ----------------------------------------------------------------------
REL_OBJ := $(patsubst %.c,build/rel/%.o,$(LIB_SRC) $(API_SRC) $(CMD_SRC)) build/rel/gen/embedded.o

build/rel/%.o: %.c $(GEN)
	@mkdir -p $(dir $@)
	@echo '  CC    $<'
	$(Q)$(CC) $(CSTD) $(WARN) $(REL_FLAGS) $(INCS) -DTDKT_VERSION='"$(VERSION)"' -MMD -MP -c -o $@ $<
build/rel/gen/embedded.o: $(GEN)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CSTD) $(REL_FLAGS) $(INCS) -c -o $@ $<

build/tdkt: $(REL_OBJ)
	@echo '  LINK  $@'
	$(Q)$(CC) $(REL_FLAGS) -o $@ $^ $(LIBS)

# --- sanitizer build (tests) ------------------------------------------------------------
ASAN_OBJ := $(patsubst %.c,build/asan/%.o,$(LIB_SRC) $(API_SRC) $(CMD_SRC)) build/asan/gen/embedded.o
ASAN_LIB_OBJ := $(patsubst %.c,build/asan/%.o,$(LIB_SRC)) build/asan/gen/embedded.o

build/asan/%.o: %.c $(GEN)
	@mkdir -p $(dir $@)
	@echo '  CC    $< (asan)'
	$(Q)$(CC) $(CSTD) $(WARN) $(ASAN_FLAGS) $(INCS) -DTDKT_VERSION='"$(VERSION)"' -MMD -MP -c -o $@ $<
build/asan/gen/embedded.o: $(GEN)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CSTD) $(ASAN_FLAGS) $(INCS) -c -o $@ $<

build/asan/tdkt: $(ASAN_OBJ)
	@echo '  LINK  $@'
	$(Q)$(CC) $(ASAN_FLAGS) -o $@ $^ $(LIBS)

UNIT_BIN := $(patsubst tests/unit/%.c,build/asan/unit/%,$(UNIT_SRC))
# the domain's pure decisions, tested without a database
UNIT_API_OBJ := build/asan/api/permissions.o build/asan/api/refresh.o build/asan/api/report_rules.o \
	build/asan/api/evaluation_scoring.o build/asan/api/evaluation_criteria.o build/asan/api/codes.o \
	build/asan/api/rule_expr.o build/asan/api/eligibility_eval.o build/asan/api/form_defs.o
build/asan/unit/%: tests/unit/%.c $(ASAN_LIB_OBJ) $(UNIT_API_OBJ) tests/unit/check.h tests/unit/json_reference.h
	@mkdir -p $(dir $@)
	@echo '  LINK  $@'
	$(Q)$(CC) $(CSTD) $(WARN) $(ASAN_FLAGS) $(INCS) -o $@ $< $(ASAN_LIB_OBJ) $(UNIT_API_OBJ) $(LIBS)

-include $(shell find build -name '*.d' 2>/dev/null)

# --- the two commands -------------------------------------------------------------------
run: deps build/tdkt
	@scripts/run.sh

unit: $(UNIT_BIN)
	@scripts/unit.sh $(UNIT_BIN)

test: deps
	@scripts/deps.sh $(TEST_PACKAGES) $(CLUSTER_PACKAGES)
	@$(MAKE) --no-print-directory build/asan/tdkt $(UNIT_BIN) build/tdkt
	@scripts/contract.sh
	@scripts/unit.sh $(UNIT_BIN)
	@scripts/api-test.sh build/asan/tdkt
	@tests/cluster/run.sh build/tdkt

api-test: build/asan/tdkt
	@scripts/deps.sh $(TEST_PACKAGES)
	@scripts/api-test.sh build/asan/tdkt

# --- measurement and fuzzing (not part of `make test`: bounded, but minutes long) -----------
bench: deps build/tdkt
	@scripts/deps.sh $(BENCH_PACKAGES)
	@tests/bench/run.sh build/tdkt

# issue 15's side by side: tdkt, the usual Node stack (tests/bench/peer/, installed here with npm ci)
# and pgbench on the same SQL, rounds interleaved; about 6 minutes. B=OTHER_TDKT measures a second
# build in the same interleaving (tests/bench/peer.sh)
bench-peer: deps build/tdkt
	@scripts/deps.sh $(BENCH_PACKAGES)
	@tests/bench/peer.sh build/tdkt $(B)

# reports statistics at 10^4..10^6 figures (10^7 with BENCH_REPORTS_MAX=10000000), CSV, XLSX and
# 1,000-report batches; about 6 minutes (tests/bench/reports.sh)
bench-reports: deps build/tdkt
	@scripts/deps.sh $(BENCH_PACKAGES)
	@tests/bench/reports.sh build/tdkt

# evaluations (issue 12): a 60-member cluster-year, a 200-node tree, every score sheet, 60
# concurrent ballots, close, and the results as JSON and CSV at 16 connections; about 1 minute
# (tests/bench/evaluations.sh)
bench-evaluations: deps build/tdkt
	@scripts/deps.sh $(BENCH_PACKAGES)
	@tests/bench/evaluations.sh build/tdkt

# eligibility (issue 13): 20,000 people with 200,000 awards and 300,000 ratings around a person and
# a unit with 30-year records; the seven fact queries' generic plans, then GET /v1/eligibility at 1
# and 16 connections for four kinds; about 3 minutes (tests/bench/eligibility.sh)
# issue 14's scale: a 200-nominee dossier submitted, a 500-award decision (tests/bench/dossiers.sh)
bench-dossiers: deps build/tdkt
	@scripts/deps.sh $(BENCH_PACKAGES)
	@tests/bench/dossiers.sh build/tdkt

bench-eligibility: deps build/tdkt
	@scripts/deps.sh $(BENCH_PACKAGES)
	@tests/bench/eligibility.sh build/tdkt

# the public lists (issue 14): 400 nominees in notice among 1,600, 300 decisions with their awards,
# a feed of 100,000 changes; the position probes' plans, then each list at 64 connections, saturated
# and paced, cached, 304 and while a writer invalidates it every 200 ms; about 2.5 minutes
# (tests/bench/public.sh)
bench-public: deps build/tdkt
	@scripts/deps.sh $(BENCH_PACKAGES)
	@tests/bench/public.sh build/tdkt

# documents (issue 14): 8 clients upload distinct 20 MiB files at once, then download them, with the
# server's peak memory (VmHWM) against idle and the throughput; about 1 minute (tests/bench/documents.sh)
bench-documents: deps build/tdkt
	@scripts/deps.sh curl
	@tests/bench/documents.sh build/tdkt

# 1,000 slow, half-open and idle connections against nginx in front (docker/nginx.conf) and the
# server alone; about 70 s (tests/stress/run.sh)
stress: deps build/tdkt
	@scripts/deps.sh $(STRESS_PACKAGES)
	@tests/stress/run.sh build/tdkt

# PostgreSQL with a streaming replica, two instances behind nginx (docker/nginx.conf): SIGTERM under
# load, idempotent retries, read-your-writes with replay paused; about 20 s (tests/cluster/run.sh)
cluster: deps build/tdkt
	@scripts/deps.sh $(CLUSTER_PACKAGES)
	@tests/cluster/run.sh build/tdkt

# one instance against two behind nginx, wrk on 127.0.0.1, with the CPU of each part; about 40 s
cluster-bench: deps build/tdkt
	@scripts/deps.sh $(CLUSTER_PACKAGES)
	@tests/cluster/bench.sh build/tdkt

FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,build/fuzz/fuzz_%,$(wildcard tests/fuzz/fuzz_*.c))
# the domain's pure parsers, fuzzed beside lib/
FUZZ_API_SRC := api/codes.c api/evaluation_criteria.c api/evaluation_scoring.c api/rule_expr.c
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/verifier.h tests/unit/json_reference.h $(LIB_SRC) $(FUZZ_API_SRC) $(GEN)
	@mkdir -p build/fuzz
	clang $(CSTD) -g -O1 -fsanitize=fuzzer,address,undefined $(INCS) -o $@ $< $(LIB_SRC) $(FUZZ_API_SRC) $(GEN) $(LIBS)

fuzz: deps
	@scripts/deps.sh $(FUZZ_PACKAGES)
	@$(MAKE) --no-print-directory $(FUZZ_TARGETS)
	@for f in $(FUZZ_TARGETS); do echo "== $$f"; $$f -max_total_time=$${FUZZ_SECONDS:-30} -rss_limit_mb=1024 || exit 1; done

LINT_PACKAGES := cppcheck python3-pyflakes

lint:
	@scripts/deps.sh $(LINT_PACKAGES)
	cppcheck --quiet --inline-suppr --error-exitcode=1 --enable=warning,performance,portability \
		--suppress=missingIncludeSystem $(INCS) lib api cmd
	/usr/bin/python3 -m pyflakes tests/api tests/bench/*.py
	@scripts/contract.sh

# the contract alone: both linters clean, every example valid, a generated TypeScript client
# type-checked (scripts/contract.sh: about 10 s of CPU; 16 s wall on 2 cores under a load of 6)
contract:
	@scripts/contract.sh

clean:
	rm -rf build
