#!/usr/bin/env bash
# vRTC micro-benchmark: instructions per operation, Rust vrtc vs Xen's
# rtc.c, on the same pre-generated stream (clock reads through 0x70/0x71,
# UIP polls, REG_C acknowledges, periodic ticks, update/alarm expiries,
# REG_B and alarm writes), counted by callgrind in one process: inclusive
# Ir of shim_bench (C, -O2, with the recording shims) and rust_bench.  Run
# for the `payload` cargo profile (what the ring-3 payload is built with)
# and for `release`.
# Checks: the two sides agree (checksum and final state) in each run; the
# payload-profile ratio meets the target Rust/C <= 1.0.
set -uo pipefail
: "${TOP:?}" "${BUILD:?}" "${STEP_COUNTS:?}"
cd "$TOP/depriv-rs" || exit 1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$BUILD/target-vrtc}
out=$BUILD/results/bench
mkdir -p "$out"
n=${VRTC_BENCH_OPS:-200000}
pass=0 fail=0
command -v valgrind >/dev/null || { echo "valgrind missing (scripts/setup.sh installs it)"; echo "0 1" > "$STEP_COUNTS"; exit 1; }

for profile in payload release; do
    nice cargo build -q --profile "$profile" -p difftest-vrtc --bin vrtc-bench || { fail=$((fail + 1)); continue; }
    cg=$out/vrtc-callgrind.$profile.out
    rm -f "$cg"
    if ! VRTC_BENCH_OPS=$n nice valgrind --tool=callgrind --callgrind-out-file="$cg" \
            "$CARGO_TARGET_DIR/$profile/vrtc-bench" 2>"$out/vrtc-valgrind.$profile.log"; then
        echo "vrtc bench ($profile): the two sides disagree or the run failed"
        fail=$((fail + 1))
        continue
    fi
    pass=$((pass + 1))
    ann=$(callgrind_annotate --inclusive=yes "$cg" 2>/dev/null)
    c=$(awk '/[ :]shim_bench / { gsub(",", "", $1); print $1; exit }' <<<"$ann")
    r=$(awk '/[ :]difftest_vrtc::rust_bench / { gsub(",", "", $1); print $1; exit }' <<<"$ann")
    if [ -z "$c" ] || [ -z "$r" ]; then
        echo "vrtc bench ($profile): could not find the two functions in callgrind's output"
        fail=$((fail + 1))
        continue
    fi
    awk -v c="$c" -v r="$r" -v n="$n" -v p="$profile" 'BEGIN {
        printf "vrtc bench (%s): %d ops; C rtc.c %.1f Ir/op, Rust vrtc %.1f Ir/op, ratio Rust/C %.3f\n",
            p, n, c / n, r / n, r / c }'
    if [ "$profile" = payload ]; then
        if awk -v c="$c" -v r="$r" 'BEGIN { exit !(r <= c) }'; then
            pass=$((pass + 1))
        else
            echo "vrtc bench: target Rust/C <= 1.0 missed"
            fail=$((fail + 1))
        fi
    fi
done
echo "$pass $fail" > "$STEP_COUNTS"
[ "$fail" -eq 0 ]
