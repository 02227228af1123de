#!/usr/bin/env bash
# Build the ring-3 payload object Xen links into .hvm_deprivileged:
#   1. the `payload` crate as a no_std staticlib for x86_64-unknown-linux-gnu,
#      without SSE, position independent;
#   2. ld -r --gc-sections from the entry, with linker/payload.lds;
#   3. every symbol but the entry made local;
#   4. linker/check-payload.py verifies it (and prints its summary line).
# Usage: linker/build-payload.sh OUTPUT.o
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: build-payload.sh OUTPUT.o}
target_dir=$top/build/payload/target
entry=hvm_depriv_entry

# -sse,-sse2 keeps LLVM from using vector registers for byte loops (Xen
# does not save the guest's FPU state around a call).  PIE: only PC-relative
# references.  No -Z cf-protection: the payload runs at ring 3 without IBT
# and must carry no ENDBR bytes (the checker's endbr-pattern rule).
export RUSTFLAGS="-C target-feature=-sse,-sse2,-avx,-avx2 -C relocation-model=pie -C code-model=small -C force-frame-pointers=yes"
export CARGO_TARGET_DIR=$target_dir
mkdir -p "$target_dir"
# rustc warns that -sse is unstable/ABI-affecting, which is the point (the
# payload has no float ABI): filter those lines, keep everything else, and
# fail if cargo fails.
set +e
(cd "$top/depriv-rs" && cargo build -q -p payload --profile payload \
    --target x86_64-unknown-linux-gnu) 2> "$target_dir.log"
rc=$?
set -e
grep -v -e 'target feature' -e 'unstable feature' -e 'for more information' \
    -e '^ *|' -e '^ *= note' -e '^warning: .*generated' -e '^ *$' \
    -e '^warning: unknown and unstable' -e 'rust-lang/rust/issues' "$target_dir.log" >&2 || true
[ $rc -eq 0 ] || { echo "build-payload: cargo build of the payload failed" >&2; exit 1; }
lib=$target_dir/x86_64-unknown-linux-gnu/payload/libpayload.a
[ -f "$lib" ] || { echo "build-payload: cargo did not produce $lib" >&2; exit 1; }

tmp=$out.tmp
ld -r --gc-sections -u "$entry" -e "$entry" -T "$top/linker/payload.lds" \
    --whole-archive "$lib" --no-whole-archive -o "$tmp.raw.o" 2>/dev/null \
  || ld -r --gc-sections -u "$entry" -e "$entry" -T "$top/linker/payload.lds" "$lib" -o "$tmp.raw.o"
objcopy --keep-global-symbol="$entry" --strip-unneeded "$tmp.raw.o" "$tmp"
rm -f "$tmp.raw.o"
python3 "$top/linker/check-payload.py" "$tmp"
# Replace the output only when it changed, so Xen does not relink needlessly.
if cmp -s "$tmp" "$out"; then rm -f "$tmp"; else mv -f "$tmp" "$out"; fi
