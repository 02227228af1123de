#!/usr/bin/env bash
# Host tests of every crate (unit, property and differential tests), plus
# the formatting and lint gates.
set -uo pipefail
. "$TOP/tests/steps/lib.sh"
cd "$TOP/depriv-rs" || exit 1
log=$BUILD/results/cargo-test.log
rc=0
cargo fmt --check || { echo "cargo fmt --check failed"; rc=1; }
cargo clippy --workspace --all-targets --release -q -- -D warnings || { echo "cargo clippy failed"; rc=1; }
cargo test --workspace --release 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || rc=1
cargo_counts "$log"
if [ $rc -ne 0 ]; then read -r p f < "$STEP_COUNTS"; echo "$p $((f + 1))" > "$STEP_COUNTS"; fi
exit $rc
