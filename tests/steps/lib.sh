# Helpers for step scripts (sourced).
# cargo_counts LOGFILE: add up cargo test's "test result:" lines into
# $STEP_COUNTS as "PASSED FAILED".
cargo_counts() {
    awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) } }
         END { printf "%d %d\n", p, f }' "$1" > "$STEP_COUNTS"
}
