# dicomkit: the two commands a new user needs are `make serve` and `make test`.
JOBS ?= $(shell nproc)
BUILD ?= build
ASAN_BUILD ?= build-asan
# The fuzz targets are built in the sanitizer tree, from the same libraries as its unit tests.
FUZZ_BUILD ?= $(ASAN_BUILD)
FUZZ_SECONDS ?= 15
CMAKE_FLAGS ?=
# -O2 as the benchmarks were measured, without debug information (it takes a third of the build
# time); the sanitizer and fuzz builds keep line tables for their reports.
RELEASE_FLAGS = -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG"
# One clang tree for the unit tests under ASan+UBSan and for the fuzz targets: -O1 with line tables
# and assertions, AddressSanitizer, UndefinedBehaviorSanitizer (no recovery), libFuzzer's coverage.
SANITIZE_FLAGS = -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" \
  -DCMAKE_C_FLAGS_DEBUG="-O1 -gline-tables-only" -DDICOMKIT_SANITIZE=ON -DDICOMKIT_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++

.PHONY: all deps build test unit-test asan-test fuzz-test serve clean bench bench-archive bench-web bench-pixels bench-deid bench-modify bench-validate format

all: build

deps:
	@bash scripts/bootstrap.sh

$(BUILD)/build.ninja: | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(RELEASE_FLAGS) $(CMAKE_FLAGS)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

unit-test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

asan-test: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja $(SANITIZE_FLAGS) $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target unit_tests
	cd $(ASAN_BUILD) && export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 && \
	  { ctest --output-on-failure -j $(JOBS) -L unit || bash $(CURDIR)/scripts/lsan_tracer_retry.sh; }

fuzz-test: deps
	cmake -S . -B $(FUZZ_BUILD) -G Ninja $(SANITIZE_FLAGS) $(CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets
	bash fuzz/run_all.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# Everything: the normal build with unit, integration and interop tests, the sanitizer build
# with its unit tests, and a bounded run of every fuzz target (built in the same sanitizer tree;
# FUZZ_JOBS targets at a time, default: the number of cores).
test: unit-test asan-test fuzz-test

# The archive with its defaults: AE title DICOMKIT, DICOM port 11112, data (storage/, index.db) in ./var.
# More flags through SERVE_FLAGS, e.g. make serve SERVE_FLAGS="--peer CT1=10.0.0.5:104" or "--accept-unknown".
SERVE_FLAGS ?=
serve: build
	./$(BUILD)/apps/dicomkit/dicomkit serve --aet DICOMKIT --port 11112 --data var $(SERVE_FLAGS)

bench: build
	bash bench/parse/run.sh

# The archive against Orthanc and storescp: ingest rate, C-FIND latency at 100,000 and 1,000,000
# instances (about 20 minutes on 2 cores; smaller: make bench-archive N=500 FIND_SCALES=20000
# ORTHANC_FIND_N=5000). Writes the "archive" section of docs/benchmarks.md.
bench-archive: build
	cmake --build $(BUILD) -j $(JOBS) --target bench_archive_gen
	bash bench/archive/run.sh $(BUILD)

# DICOMweb against Orthanc with its DICOMweb plugin: QIDO, metadata and frame requests/s and latency
# (wrk), STOW-RS instances/s, QIDO latency at 100,000 instances (about 10 minutes on 2 cores;
# smaller: make bench-web N=1000 STOW_N=500 QIDO_SCALE=20000). Writes the "web" section of
# docs/benchmarks.md.
bench-web: build
	cmake --build $(BUILD) -j $(JOBS) --target bench_archive_gen
	bash bench/web/run.sh $(BUILD)

# Pixel data: decode throughput per transfer syntax against DCMTK (dcmdjpeg, dcmdjpls, dcmdrle) and GDCM
# (gdcmconv --raw), multi-frame decoding with one thread and the default, render against dcm2pnm, peak
# memory (about 15 minutes on 2 cores; quicker: make bench-pixels ROUNDS=1 FRAMES=20). Prints the tables,
# writes bench/pixels/results/pixels-<time>.tsv and .md; DOCS=1 also writes the "pixels" section of
# docs/benchmarks.md.
bench-pixels: build
	cmake --build $(BUILD) -j $(JOBS) --target dicomkit
	bash bench/pixels/run.sh $(BUILD)

# De-identification: `dicomkit anonymize` against gdcmanon -e and dcmodify scripted from PS3.15 Table E.1-1 on
# a generated corpus (N=2000 files; quicker: make bench-deid N=500 ROUNDS=1), files/s, peak memory, ratios.
# Writes bench/deid/results/deid-<time>.md; DOCS=1 also writes the "deid" section of docs/benchmarks.md.
bench-deid: build
	cmake --build $(BUILD) -j $(JOBS) --target dicomkit
	bash bench/deid/run.sh $(BUILD)

# dicomkit modify vs dcmodify, one attribute in place in N=1000 files. Writes the "modify" section
# of docs/benchmarks.md.
bench-modify: build
	cmake --build $(BUILD) -j $(JOBS) --target dicomkit
	N=$(or $(N),1000) bash bench/modify/run.sh $(BUILD)

# dicomkit validate vs dciodvfy on every file of the shared corpus: one process per file for both,
# and dicomkit over the folder in one call (ROUNDS=3). DOCS=1 writes the "validate" section of
# docs/benchmarks.md.
bench-validate: build
	cmake --build $(BUILD) -j $(JOBS) --target dicomkit
	bash bench/validate/run.sh $(BUILD)

format:
	find src apps tests fuzz bench -name '*.hpp' -o -name '*.cpp' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
