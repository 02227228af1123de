#!/usr/bin/env bash
# Real-mode emulator micro-benchmark: instructions (callgrind Ir) per
# emulated instruction, Rust realmode vs Xen's x86_emulate(), on the same
# generated stream (REALMODE_BENCH_OPS, default 20000, seed 22). Each side
# runs in its own process under --toggle-collect (bench_rust_one /
# x86_emulate_wrapper), so case generation is not counted. Both sides
# call the same fake platform; its cost (the Ops methods on the Rust side,
# the g_* op hooks incl. the C->Rust glue on the Xen side) is reported and
# subtracted to give the emulator-only figure. Run for the `payload`
# profile (opt-level 2, fat LTO: what the ring-3 payload is built with)
# and for `release`.
# Checks: the payload-profile build has no call from realmode code into a
# panic path; both runs complete; the payload-profile emulator-only ratio
# meets the target Rust/C <= 0.75.
set -uo pipefail
: "${TOP:?}" "${BUILD:?}" "${STEP_COUNTS:?}"
cd "$TOP/depriv-rs" || exit 1
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$BUILD/target-realmode}
out=$BUILD/results/bench
mkdir -p "$out"
n=${REALMODE_BENCH_OPS:-20000}
pass=0 fail=0
command -v valgrind >/dev/null || { echo "valgrind missing (scripts/setup.sh installs it)"; echo "0 1" > "$STEP_COUNTS"; exit 1; }

# Sum of inclusive Ir of the functions matching $2 in callgrind file $1.
sum_incl() {
    callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
        awk -v pat="$2" '$0 ~ pat { gsub(",", "", $1); s += $1 } END { printf "%d\n", s }'
}

for profile in payload release; do
    nice cargo build -q --profile "$profile" -p difftest-realmode --example bench || { fail=$((fail + 1)); continue; }
    bin=$CARGO_TARGET_DIR/$profile/examples/bench
    if [ "$profile" = payload ]; then
        # The ring-3 payload must link no panic path (README: the payload rules): no call
        # from the emulator's code into core::panicking & co.
        bad=$(objdump -d --no-show-raw-insn -C "$bin" | awk '
            /^[0-9a-f]+ <(realmode::|bench_rust_one)/ { inside = 1; n++; next }
            /^[0-9a-f]+ </ { inside = 0 }
            inside && /call|jmp/ && /panic|unwrap_failed|expect_failed|slice_.*fail|bounds_check|core::fmt/ { print }
            END { if (n == 0) print "no realmode functions found" }')
        if [ -n "$bad" ]; then
            echo "realmode bench: panic paths reachable from the emulator:"; echo "$bad" | head
            fail=$((fail + 1))
        else
            echo "realmode bench (payload): no panic path in the emulator's code"
            pass=$((pass + 1))
        fi
    fi
    ok=1
    for side in rust xen; do
        toggle=bench_rust_one
        [ $side = xen ] && toggle=x86_emulate_wrapper
        cg=$out/realmode-callgrind.$side.$profile.out
        rm -f "$cg"
        if ! BENCH_OPS=$n nice valgrind --tool=callgrind --callgrind-out-file="$cg" \
                --toggle-collect="$toggle" "$bin" $side >"$out/realmode-bench.$side.$profile.log" 2>&1; then
            echo "realmode bench ($profile, $side): run failed"; ok=0
        fi
    done
    [ $ok = 1 ] || { fail=$((fail + 1)); continue; }
    pass=$((pass + 1))
    rt=$(sum_incl "$out/realmode-callgrind.rust.$profile.out" ':bench_rust_one ')
    rp=$(sum_incl "$out/realmode-callgrind.rust.$profile.out" 'Platform as realmode::ops::Ops>::')
    xt=$(sum_incl "$out/realmode-callgrind.xen.$profile.out" ':x86_emulate_wrapper ')
    xp=$(sum_incl "$out/realmode-callgrind.xen.$profile.out" ':g_[a-z_]+ ')
    awk -v rt="$rt" -v rp="$rp" -v xt="$xt" -v xp="$xp" -v n="$n" -v p="$profile" 'BEGIN {
        printf "realmode bench (%s): %d instructions; with platform: Rust %.0f Ir/insn, Xen %.0f Ir/insn (ratio %.3f)\n",
            p, n, rt / n, xt / n, rt / xt
        printf "realmode bench (%s): emulator only: Rust %.0f Ir/insn, Xen x86_emulate %.0f Ir/insn, ratio Rust/C %.3f\n",
            p, (rt - rp) / n, (xt - xp) / n, (rt - rp) / (xt - xp) }' | tee "$out/realmode-bench.$profile.txt"
    grep -h "op calls" "$out/realmode-bench.rust.$profile.log" "$out/realmode-bench.xen.$profile.log" | sed "s/^/realmode bench ($profile): /"
    if [ "$profile" = payload ]; then
        if awk -v rt="$rt" -v rp="$rp" -v xt="$xt" -v xp="$xp" 'BEGIN { exit !((rt - rp) <= 0.75 * (xt - xp)) }'; then
            pass=$((pass + 1))
        else
            echo "realmode bench: target Rust/C <= 0.75 missed"
            fail=$((fail + 1))
        fi
    fi
done
echo "$pass $fail" > "$STEP_COUNTS"
[ "$fail" -eq 0 ]
