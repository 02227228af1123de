#!/usr/bin/env bash
# Emulator micro-benchmarks, vPIC and vRTC: instructions per operation, the
# Rust crate vs Xen's own C (vpic.c, rtc.c), on the same pre-generated
# stream, counted by callgrind in one process: inclusive Ir of shim_bench
# (C, -O2, with the recording shims) and of difftest_<emu>::rust_bench.
#   vpic: PIC programming and EOIs, IRR/ISR/IMR reads, ELCR, edges,
#         acknowledges
#   vrtc: clock reads through 0x70/0x71, UIP polls, REG_C acknowledges,
#         periodic ticks, update/alarm expiries, REG_B and alarm writes
# Run for the `payload` cargo profile (what the ring-3 payload is built
# with: opt-level 2, fat LTO) and for `release`.
# Checks, per emulator: the two sides agree (checksum and final state) in
# each run; the payload-profile ratio meets the target Rust/C <= 0.75.
# Knobs: BENCH_EMULATORS (default "vpic vrtc"), VPIC_BENCH_OPS and
# VRTC_BENCH_OPS (default 200000 each).
set -uo pipefail
: "${TOP:?}" "${BUILD:?}" "${STEP_COUNTS:?}"
cd "$TOP/depriv-rs" || exit 1
out=$BUILD/results/bench
mkdir -p "$out"
pass=0 fail=0
command -v valgrind >/dev/null || { echo "valgrind missing (scripts/setup.sh installs it)"; echo "0 1" > "$STEP_COUNTS"; exit 1; }

declare -A C_NAME=([vpic]=vpic.c [vrtc]=rtc.c)
for emu in ${BENCH_EMULATORS:-vpic vrtc}; do
    [ -n "${C_NAME[$emu]:-}" ] || { echo "no bench for emulator '$emu'"; fail=$((fail + 1)); continue; }
    ops_var=${emu^^}_BENCH_OPS
    n=${!ops_var:-200000}
    # One target directory per emulator, as the difftests use.
    export CARGO_TARGET_DIR=$BUILD/target-$emu
    for profile in payload release; do
        nice cargo build -q --profile "$profile" -p "difftest-$emu" --bin "$emu-bench" || { fail=$((fail + 1)); continue; }
        cg=$out/$emu-callgrind.$profile.out
        rm -f "$cg"
        if ! env "$ops_var=$n" nice valgrind --tool=callgrind --callgrind-out-file="$cg" \
                "$CARGO_TARGET_DIR/$profile/$emu-bench" 2>"$out/$emu-valgrind.$profile.log"; then
            echo "$emu bench ($profile): the two sides disagree or the run failed"
            fail=$((fail + 1))
            continue
        fi
        pass=$((pass + 1))
        ann=$(callgrind_annotate --inclusive=yes "$cg" 2>/dev/null)
        c=$(awk '/[ :]shim_bench / { gsub(",", "", $1); print $1; exit }' <<<"$ann")
        r=$(awk -v f="difftest_$emu::rust_bench" '$0 ~ ("[ :]" f " ") { gsub(",", "", $1); print $1; exit }' <<<"$ann")
        if [ -z "$c" ] || [ -z "$r" ]; then
            echo "$emu bench ($profile): could not find the two functions in callgrind's output"
            fail=$((fail + 1))
            continue
        fi
        awk -v c="$c" -v r="$r" -v n="$n" -v p="$profile" -v e="$emu" -v cn="${C_NAME[$emu]}" 'BEGIN {
            printf "%s bench (%s): %d ops; C %s %.1f Ir/op, Rust %s %.1f Ir/op, ratio Rust/C %.3f\n",
                e, p, n, cn, c / n, e, r / n, r / c }'
        if [ "$profile" = payload ]; then
            if awk -v c="$c" -v r="$r" 'BEGIN { exit !(r <= 0.75 * c) }'; then
                pass=$((pass + 1))
            else
                echo "$emu bench: target Rust/C <= 0.75 missed"
                fail=$((fail + 1))
            fi
        fi
    done
done
echo "$pass $fail" > "$STEP_COUNTS"
[ "$fail" -eq 0 ]
