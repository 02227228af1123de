# hvm-depriv: `make` sets up, fetches and patches Xen, builds the payload and
# both Xen flavours, then boots a demo guest; `make test` runs every test.

SHELL := /bin/bash
TOP := $(CURDIR)
PAYLOAD := build/payload/hvm-depriv-payload.o

.PHONY: all setup fetch patch payload xen xen-debug xen-release demo \
        test test-bochs bench fuzz-long check-series clean distclean help

all: xen demo

help:
	@echo "make            set-up, fetch + patch Xen, payload, both Xen builds, demo boot"
	@echo "make test       every test (host, checker, patches, guests under QEMU)"
	@echo "make test-bochs the Bochs steps: 80-bochs-vmx with vrtc added, 82-bochs-cet"
	@echo "make bench      benchmarks (callgrind, Xen instructions per operation, in-guest cycles)"
	@echo "make fuzz-long  long differential runs and fuzzing"
	@echo "make check-series  the Xen series is well-formed and every prefix builds"
	@echo "                (CHECK_SERIES_ARGS='--from K --to K --configs debug,off -j N', '--format-only')"
	@echo "make clean      remove build/ but keep the downloaded sources and .debs"

setup:
	@bash scripts/setup.sh

fetch: setup
	@bash scripts/fetch-xen.sh >/dev/null

patch: fetch
	@bash scripts/apply-patches.sh

payload: setup
	@mkdir -p build/payload
	@bash linker/build-payload.sh $(PAYLOAD)

xen-debug: patch payload
	@bash scripts/build-xen.sh debug

xen-release: patch payload
	@bash scripts/build-xen.sh release

xen: xen-debug xen-release

demo: xen-debug
	@if [ -x tests/demo.sh ]; then bash tests/demo.sh; \
	 else echo "demo: no tests/demo.sh yet (the harness adds it)"; fi

test: xen
	@bash scripts/run-steps.sh steps

test-bochs: xen-debug
	@HVM_BOCHS=1 HVM_BOCHS_VRTC=1 bash scripts/run-steps.sh steps 80-bochs-vmx 82-bochs-cet

bench: xen
	@bash scripts/run-steps.sh bench

fuzz-long: xen
	@bash scripts/run-steps.sh long

# Not part of `make test`: builds every prefix of the series in three configs.
# Needs build/xen-pristine (make fetch) and, to build, the payload (make payload).
check-series:
	@bash scripts/check-series.sh $(CHECK_SERIES_ARGS)

# Keep what was downloaded: the Xen source package and the dom0 .debs.
clean:
	@if [ -d build ]; then find build -mindepth 1 -maxdepth 1 \
	    ! -name src ! -name dom0-cache -exec rm -rf {} +; fi
	@rm -rf depriv-rs/target

distclean:
	rm -rf build depriv-rs/target
