#!/usr/bin/env bash
# The checker's own tests: each linker/tests/cases/*.s names the rule(s) it
# breaks ("# expect: RULE [RULE...]") or "# expect: OK".  It is assembled, run through
# check-payload.py, and must be rejected with a message naming that rule and
# nothing else (or accepted, for OK).  Writes "PASSED FAILED" to $1 if given.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
for src in "$here"/cases/*.s; do
    name=$(basename "$src" .s)
    expect=$(sed -n 's/^# expect: //p' "$src")
    obj=$work/$name.o
    if ! as --64 -o "$obj" "$src" 2>"$work/as.err"; then
        echo "FAIL $name: does not assemble: $(cat "$work/as.err")"; fail=$((fail + 1)); continue
    fi
    # The assembler always emits (empty) .text/.data/.bss: drop them so each
    # case shows only the violation it is about.
    objcopy -R .text -R .data -R .bss "$obj" 2>/dev/null
    out=$(python3 "$here/../check-payload.py" "$obj" 2>&1); rc=$?
    if [ "$expect" = OK ]; then
        if [ $rc -eq 0 ]; then echo "ok   $name: accepted"; pass=$((pass + 1));
        else echo "FAIL $name: rejected:"; echo "$out"; fail=$((fail + 1)); fi
        continue
    fi
    rules=$(printf '%s\n' "$out" | sed -n 's/^check-payload: [^:]*: \([a-z0-9-]*\): .*/\1/p' | sort -u | tr '\n' ' ')
    want=$(printf '%s\n' $expect | sort -u | tr '\n' ' ')
    if [ $rc -ne 0 ] && [ "$rules" = "$want" ]; then
        echo "ok   $name: rejected: $(printf '%s\n' "$out" | head -n1 | sed 's/^check-payload: [^:]*: //')"
        pass=$((pass + 1))
    else
        echo "FAIL $name: expected rule '$expect', got rc=$rc rules='$rules'"; echo "$out"; fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ -n "${1:-}" ] && echo "$pass $fail" > "$1"
[ $fail -eq 0 ]
