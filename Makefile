# Thin wrapper over scripts/bootstrap and the CMake presets. `make demo` and `make test` work
# on a fresh Debian 12 machine: each installs what is missing first.
.PHONY: all bootstrap build demo test test-cuda test-sanitize bench bench-gpu clean

all: build

bootstrap:
	scripts/bootstrap

build: bootstrap
	cmake --preset default
	cmake --build --preset default

demo: build
	./build/examples/demo

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

bench-gpu: build
	./build/bench/bench_gpu_hypercleaning

clean:
	rm -rf build build-sanitize
