# The two commands a new user runs: `make demo` and `make test`. Everything else is for developers.
BUILD      ?= build
MAKEFLAGS += --no-print-directory
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
JOBS       ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all deps build demo test test-slow bench asan tsan clean

all: build

deps:
	@scripts/install-deps all

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo $(BUILD)/kohort demo

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE slow

# SLOW_EXCLUDE: a ctest regular expression of slow suites to leave out (CI leaves out the longest).
test-slow: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L slow $(if $(SLOW_EXCLUDE),-E '$(SLOW_EXCLUDE)')

bench: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DKOHORT_BENCH=ON >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)
	@scripts/bench $(BUILD)

asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKOHORT_ASAN=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS) -L unit

# The unit tests and the demo (every stage, at all cores) under the thread sanitizer; a race
# stops the run with the sanitizer's report.
tsan: deps
	@cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKOHORT_TSAN=ON >/dev/null
	@cmake --build $(TSAN_BUILD) -j $(JOBS)
	@cd $(TSAN_BUILD) && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -j $(JOBS) -L unit
	@rm -rf $(TSAN_BUILD)/demo && TSAN_OPTIONS=halt_on_error=1 scripts/demo $(TSAN_BUILD)/kohort $(TSAN_BUILD)/demo >/dev/null

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
