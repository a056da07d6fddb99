# Entry points: `make demo` and `make test` (see README.md).
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: demo test test-sanitize fuzz-smoke build deps clean

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo $(BUILD)/smc

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	@scripts/check-clean

# The whole suite again under AddressSanitizer and UBSan (CI's second step).
# SMC_SANITIZED=1 tells the tests that bound memory: address-space limits are
# skipped, RSS bounds scaled (tests/smctest.py); wall-clock bounds are scaled
# by SMC_TEST_SLOWDOWN.
SAN_BUILD ?= build-sanitize
test-sanitize: deps
	@cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSMC_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(SAN_BUILD) -j $(JOBS)
	@cd $(SAN_BUILD) && SMC_SANITIZED=1 SMC_TEST_SLOWDOWN=$${SMC_TEST_SLOWDOWN:-4} \
	  ASAN_OPTIONS=$${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:quarantine_size_mb=16} \
	  UBSAN_OPTIONS=$${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	  ctest --output-on-failure -j $(JOBS) --timeout 900
	@scripts/check-clean

# CI's third step: the frame and channel fuzzers, 12 s each (tests/fuzz/smoke).
fuzz-smoke: deps
	@tests/fuzz/smoke 12

clean:
	rm -rf $(BUILD) $(SAN_BUILD) build-fuzz
