# Thin wrapper over CMake; the README's two commands are `make run` and `make test`.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_BUILD_TYPE ?= RelWithDebInfo

SAN_DIR ?= build-san
FUZZ_SECONDS ?= 60

.PHONY: all build bootstrap run test unit integration e2e bench clean sanitize-build check-sanitize fuzz

all: build

bootstrap:
	@scripts/bootstrap

$(BUILD_DIR)/CMakeCache.txt:
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(CMAKE_BUILD_TYPE) >/dev/null

build: $(BUILD_DIR)/CMakeCache.txt
	@cmake --build $(BUILD_DIR) -j $(JOBS)

run: bootstrap build
	$(BUILD_DIR)/kscope agent

# The whole suite, then the unit tests under ASan+UBSan and each fuzz target briefly.
test: bootstrap build sanitize-build
	cd $(BUILD_DIR) && ctest --output-on-failure -j 1
	cd $(SAN_DIR) && ctest --output-on-failure -j 1 -L 'unit|fuzz'

# The hardening build: clang, AddressSanitizer + UndefinedBehaviorSanitizer, libFuzzer.
# (-O1 with line tables: what the sanitizers' reports need, and a faster build.)
$(SAN_DIR)/CMakeCache.txt:
	@cmake -S . -B $(SAN_DIR) -DCMAKE_BUILD_TYPE=None -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
		"-DCMAKE_CXX_FLAGS=-O1 -gline-tables-only" "-DCMAKE_C_FLAGS=-O1 -gline-tables-only" \
		-DKSCOPE_SANITIZE=ON >/dev/null

sanitize-build: $(SAN_DIR)/CMakeCache.txt
	@cmake --build $(SAN_DIR) -j $(JOBS) --target kscope_unit_tests fuzz_targets

# Every test (unit, integration, e2e, fuzz) against the sanitized build.
check-sanitize: bootstrap $(SAN_DIR)/CMakeCache.txt
	@cmake --build $(SAN_DIR) -j $(JOBS)
	cd $(SAN_DIR) && ctest --output-on-failure -j 1

# Each fuzz target for FUZZ_SECONDS (default 60), new inputs kept in $(SAN_DIR)/fuzz-corpus.
fuzz: bootstrap sanitize-build
	cd $(SAN_DIR) && KSCOPE_FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --output-on-failure -j 1 -L fuzz \
		--timeout $$(( $(FUZZ_SECONDS) + 120 ))

unit: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L unit

integration: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L integration

e2e: build
	cd $(BUILD_DIR) && ctest --output-on-failure -L e2e

bench: bootstrap build
	bench/run_all.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(SAN_DIR)
