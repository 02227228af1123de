#!/usr/bin/env bash
# Checks of the Xen side of the build: the series applies, both flavours
# carry the payload between the section bounds and the PV speculation
# alternatives on the payload's ring transitions, the boot option is
# documented, and the scripts fail clearly on bad input.
set -uo pipefail
p=0 f=0
ok()   { echo "ok   $*"; p=$((p + 1)); }
fail() { echo "FAIL $*"; f=$((f + 1)); }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for flavour in debug release; do
    syms=$BUILD/xen-$flavour/xen-syms
    if [ ! -f "$syms" ]; then fail "$flavour: $syms missing"; continue; fi
    nm "$syms" > "$work/nm"
    addr() { awk -v s="$1" '$3 == s { print $1 }' "$work/nm"; }
    start=$(addr __hvm_depriv_start) rod=$(addr __hvm_depriv_rodata_start)
    end=$(addr __hvm_depriv_end) entry=$(addr hvm_depriv_entry)
    if [ -n "$start" ] && [ -n "$end" ] && [ -n "$rod" ]; then
        ok "$flavour: section bounds $start..$end"
    else
        fail "$flavour: section bounds missing from nm"; continue
    fi
    if (( 16#$start % 4096 == 0 && 16#$rod % 4096 == 0 && 16#$end % 4096 == 0 )); then
        ok "$flavour: bounds page aligned"
    else
        fail "$flavour: bounds not page aligned"
    fi
    if [ -n "$entry" ] && (( 16#$entry >= 16#$start && 16#$entry < 16#$rod )); then
        ok "$flavour: hvm_depriv_entry ($entry) inside the payload text"
    else
        fail "$flavour: hvm_depriv_entry not inside the payload text"
    fi
    readelf -S -W "$syms" | grep -qE '\] \.hvm_deprivileged +PROGBITS .* AX ' && ok "$flavour: .hvm_deprivileged output section" \
        || fail "$flavour: no .hvm_deprivileged output section"
    # The payload's ring-3 entries and exits carry the speculation
    # alternatives of Xen's PV ones (SYSCALL entry, restore_all_guest), the
    # VERW, and interrupt returns to ring 3 go through them.
    python3 "$TOP/tests/steps/spec_alt_sites.py" "$syms" \
        "$BUILD/xen-src/xen/arch/x86/include/asm/cpufeatures.h" \
        "$BUILD/xen-obj-$flavour/include/xen/lib/x86/cpuid-autogen.h" > "$work/alt" 2>&1
    while IFS= read -r line; do
        case $line in
            "ok   "*) ok "$flavour: ${line#ok   }" ;;
            "FAIL "*) fail "$flavour: ${line#FAIL }" ;;
            *) echo "$flavour: $line" ;;
        esac
    done < "$work/alt"
    grep -qE '^(ok|FAIL) ' "$work/alt" || fail "$flavour: spec_alt_sites.py printed no checks: $(tail -3 "$work/alt")"
done

grep -q '^### hvm_depriv (x86)' "$BUILD/xen-src/docs/misc/xen-command-line.pandoc" \
    && ok "hvm_depriv documented in xen-command-line.pandoc" \
    || fail "hvm_depriv not documented"

# A broken patch stops the build naming the patch and the failing file.
mkdir -p "$work/patches"
cp "$TOP"/xen-patches/*.patch "$TOP/xen-patches/series" "$work/patches/"
cat > "$work/patches/9999-broken.patch" <<'PATCH'
--- a/xen/arch/x86/hvm/vpic.c
+++ b/xen/arch/x86/hvm/vpic.c
@@ -1,3 +1,3 @@
-this line is not in vpic.c
+neither is this one
 nor this
 nor that
PATCH
echo 9999-broken.patch >> "$work/patches/series"
out=$(XEN_PATCHES_DIR=$work/patches XEN_SRC_DIR=$work/src bash "$TOP/scripts/apply-patches.sh" 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q "patch 9999-broken.patch failed to apply (failing file: xen/arch/x86/hvm/vpic.c)" <<<"$out"; then
    ok "broken patch reported with its name and failing file"
else
    fail "broken patch not reported clearly (rc=$rc): $out"
fi
[ ! -e "$work/src/xen" ] && ok "failed series leaves no patched tree" || fail "failed series left a tree"

# A pristine tree of another version is refused.
mkdir -p "$work/fake/xen" && touch "$work/fake/xen/Makefile" && echo 4.17.7-1 > "$work/fake/.hvm-depriv-pinned"
out=$(XEN_PRISTINE_DIR=$work/fake bash "$TOP/scripts/fetch-xen.sh" 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q "is not the pinned xen" <<<"$out"; then
    ok "wrong-version pristine tree refused"
else
    fail "wrong-version tree not refused (rc=$rc): $out"
fi

# Bad command-line input to the build script.
out=$(bash "$TOP/scripts/build-xen.sh" fancy 2>&1); rc=$?
[ $rc -ne 0 ] && grep -q "usage: build-xen.sh debug|release" <<<"$out" \
    && ok "build-xen.sh rejects an unknown flavour" || fail "build-xen.sh accepted 'fancy'"

echo "$p passed, $f failed"
echo "$p $f" > "$STEP_COUNTS"
[ $f -eq 0 ]
