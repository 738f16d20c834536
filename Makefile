# kocruit — thin wrapper over CMake. The two commands: `make run` and `make test`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=

.PHONY: all build run test test-fast test-asan bench fmt fmt-check bootstrap clean

all: build

bootstrap:
	scripts/bootstrap

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_ARGS)

build: $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j$(JOBS)

# Bring up redis and the three services (bootstraps what is missing).
run:
	scripts/run-local

# Everything: unit + integration + browser tests, then the unit tests again under ASan+UBSan.
test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	$(MAKE) test-asan

# Unit and integration tests only, one build.
test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

# Unit tests (label "unit") built with -fsanitize=address,undefined.
test-asan:
	cmake -S . -B $(ASAN_BUILD) -DKC_SANITIZE=ON $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j$(JOBS) -L unit

bench: build
	@for b in bench/*/run; do echo "== $$b"; BUILD=$(BUILD) $$b || exit 1; done

FMT_FILES = $(shell git ls-files '*.c' '*.h' | grep -v '^third_party/')
fmt:
	clang-format -i $(FMT_FILES)
fmt-check:
	@clang-format --dry-run --Werror $(FMT_FILES) && echo "fmt-check: ok"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
