#!/bin/bash
# Build every guest directory of tests/xtf/tests inside an upstream XTF tree,
# unmodified: copies tests/lib and each tests/<name>/ into XTF's tests/ and
# runs XTF's own top-level make for that test (its flags, -Werror, its
# runtime, no libgcc).  Prints "ok NAME" / "FAIL NAME" (the build log is then
# in $LOGS/NAME.log) and exits non-zero on any failure.
#   tests/xtf/upstream-check.sh /path/to/xtf-clone [NAME...]
# The upstream commit matched is named in tests/xtf/README.md.
set -uo pipefail
UP=${1:?usage: $0 XTF-CLONE [NAME...]}
shift
UP=$(cd "$UP" && pwd) || exit 1
SRC=$(cd "$(dirname "$0")/tests" && pwd)
LOGS=${LOGS:-$(mktemp -d /tmp/xtf-upstream-check.XXXXXX)}
[ -f "$UP/build/gen.mk" ] || { echo "$UP is not an XTF tree" >&2; exit 1; }

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
    for d in "$SRC"/*/; do
        [ -e "$d/Makefile" ] && names+=("$(basename "$d")")
    done
fi

rm -rf "$UP/tests/lib" && cp -a "$SRC/lib" "$UP/tests/lib" || exit 1
ok=0 bad=0
for t in "${names[@]}"; do
    rm -rf "${UP:?}/tests/$t" && cp -a "$SRC/$t" "$UP/tests/$t" || exit 1
    if make -s -C "$UP" TESTS="$UP/tests/$t" > "$LOGS/$t.log" 2>&1 &&
       [ -f "$UP/tests/$t/test-hvm32-$t" ]; then
        ok=$((ok + 1)); echo "ok $t"
    else
        bad=$((bad + 1)); echo "FAIL $t (see $LOGS/$t.log)"
    fi
done
echo "$ok built in $UP ($(git -C "$UP" rev-parse --short HEAD 2>/dev/null)), $bad failed"
[ $bad -eq 0 ]
