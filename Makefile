# Thin wrapper over scripts/bootstrap and the CMake presets. `make demo` and `make test` work
# on a fresh Debian 12 machine: each installs what is missing first.
.PHONY: all bootstrap build demo reproduce test test-cuda test-sanitize bench bench-cpu bench-gpu clean

all: build

bootstrap:
	scripts/bootstrap

build: bootstrap
	cmake --preset default
	cmake --build --preset default

# The hypergradient demo, then the default job of the command line: every strategy against full
# reverse mode on hypercleaning (results/memory: CSVs, plots, README.md).
demo: build
	./build/examples/demo
	./build/tools/hypertape memory --quick

# Every experiment at its quick size; rewrites docs/results.md and docs/results/.
reproduce: build
	./build/tools/hypertape reproduce --quick

test: build
	ctest --preset default

# The device tests alone (GPU against CPU); skipped where there is no CUDA device (docs/gpu.md).
test-cuda: build
	ctest --preset default -L cuda --output-on-failure

test-sanitize: bootstrap
	cmake --preset sanitize
	cmake --build --preset sanitize
	ctest --preset sanitize

bench: build
	./build/bench/bench_strategies

# hypertape against PyTorch on the CPU, interleaved (PyTorch: scripts/bootstrap --bench; bench/README.md).
bench-cpu: build
	./build/bench/bench_cpu_hypercleaning

bench-gpu: build
	./build/bench/bench_gpu_hypercleaning

clean:
	rm -rf build build-sanitize results
