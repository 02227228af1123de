#!/usr/bin/env bash
# Check that the Xen series in xen-patches/ is well-formed and bisectable.
#
# Usage: scripts/check-series.sh [--from K] [--to K] [--configs LIST] [-j N]
#                                [--format-only | --no-format] [--no-build]
#                                [--fail-fast]
#
# Phase 1, format (reads the .patch files only, needs no tree): the series
#   comes from `git format-patch -n --cover-letter`: 0000-cover-letter.patch
#   present (filled in) and not in `series`, every NNNN-*.patch in `series`
#   in order, subjects "[PATCH n/N]" with n its position and N the series
#   length, one author identity over the series, and a Signed-off-by: of
#   that author in each patch.
# Phase 2, apply: a git tree of build/xen-pristine (commit and tag "pinned")
#   in build/series-check/xen, the series applied one patch at a time with
#   `git am`; `git show --check` on each commit; the result must be the tree
#   scripts/apply-patches.sh produces (build/xen-src when it is current).
# Phase 3, build: every prefix K..K' of the series in every configuration,
#   incrementally, in kept object dirs build/series-check/obj-<config>:
#     debug   = defconfig + xen-patches/kconfig/debug.config
#     release = defconfig + xen-patches/kconfig/release.config
#     off     = plain defconfig (CONFIG_HVM_DEPRIV must be n or absent)
#   debug and release are built with HVM_DEPRIV_PAYLOAD=<the payload>.
#
# Options: --from K / --to K  build prefixes K..K' only (default 1..N);
#   --configs debug,release,off (default all three); -j N parallel jobs
#   (default $JOBS or nproc); --format-only  phase 1 only; --no-format skip
#   phase 1; --no-build  phases 1 and 2 only; --fail-fast  stop at the first
#   failed build.  XEN_PATCHES_DIR checks another series directory;
#   XEN_CC is passed to make as CC (e.g. XEN_CC="ccache gcc" for re-runs).
# Logs: build/series-check/logs/.  Exit status nonzero on any failure.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
patches=${XEN_PATCHES_DIR:-$top/xen-patches}
pristine=${XEN_PRISTINE_DIR:-$top/build/xen-pristine}
payload=${HVM_DEPRIV_PAYLOAD:-$top/build/payload/hvm-depriv-payload.o}
xensrc=$top/build/xen-src
work=$top/build/series-check
logs=$work/logs
amtree=$work/xen        # `git am` runs here; ends at the whole series
srctree=$work/src       # worktree moved prefix by prefix for the builds
cover=$patches/0000-cover-letter.patch

die() { echo "check-series: error: $*" >&2; exit 1; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

from='' to='' configs=debug,release,off jobs=${JOBS:-$(nproc)}
do_format=1 do_build=1 format_only=0 fail_fast=0
while [ $# -gt 0 ]; do
    case $1 in
        --from) [ $# -ge 2 ] || die "--from needs a number"; from=$2; shift 2 ;;
        --to) [ $# -ge 2 ] || die "--to needs a number"; to=$2; shift 2 ;;
        --configs) [ $# -ge 2 ] || die "--configs needs a list"; configs=$2; shift 2 ;;
        -j|--jobs) [ $# -ge 2 ] || die "$1 needs a number"; jobs=$2; shift 2 ;;
        -j*) jobs=${1#-j}; shift ;;
        --format-only) format_only=1; shift ;;
        --no-format) do_format=0; shift ;;
        --no-build) do_build=0; shift ;;
        --fail-fast) fail_fast=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument '$1' (see --help)" ;;
    esac
done
isnum() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }
isnum "$jobs" || die "-j wants a positive number (got '$jobs')"
[ "$format_only" = 1 ] && [ "$do_format" = 0 ] && die "--format-only and --no-format exclude each other"
IFS=, read -r -a cfgs <<< "$configs"
[ ${#cfgs[@]} -gt 0 ] || die "--configs is empty"
for c in "${cfgs[@]}"; do
    case $c in
        debug|release|off) ;;
        *) die "unknown config '$c' in --configs (debug, release, off)" ;;
    esac
done

[ -f "$patches/series" ] || die "no $patches/series"
mapfile -t series < <(grep -v -e '^#' -e '^[[:space:]]*$' "$patches/series")
n=${#series[@]}
[ "$n" -gt 0 ] || die "$patches/series lists no patch"
from=${from:-1} to=${to:-$n}
isnum "$from" && isnum "$to" && [ "$from" -le "$to" ] && [ "$to" -le "$n" ] \
    || die "--from/--to must satisfy 1 <= from <= to <= $n (got $from..$to)"

mkdir -p "$logs"
exec 9>"$work/.lock"
flock -n 9 || die "another check-series run holds $work/.lock"

failures=0
phases=()
log=/dev/null
say() { printf '%s\n' "$*" | tee -a "$log"; }
fail() { failures=$((failures + 1)); printf 'FAIL: %s\n' "$*" | tee -a "$log" >&2; }

# ---------------------------------------------------------------- phase 1
# The mail headers of a .patch file, through git's own parser: sets
# p_author ("Name <email>"), p_subject (unfolded, [PATCH ...] kept) and
# writes the commit message to $work/msg.
mailinfo() {
    local info
    info=$(git mailinfo -k "$work/msg" /dev/null < "$1") || return 1
    p_author="$(sed -n 's/^Author: //p' <<< "$info") <$(sed -n 's/^Email: //p' <<< "$info")>"
    p_subject=$(sed -n 's/^Subject: //p' <<< "$info")
}
# "[PATCH n/N] ...", also "[PATCH v2 n/N]", "[RFC PATCH n/N]".
subject_re='^\[([A-Za-z0-9._-]+ )*PATCH( [A-Za-z0-9._-]+)* ([0-9]+)/([0-9]+)\] [^[:space:]]'

format_phase() {
    log=$logs/format.log
    : > "$log"
    say "== format: $n patch(es) in $patches"
    local i p num author sob coverfrom=''
    declare -A authors=()

    if [ -f "$cover" ]; then
        if mailinfo "$cover"; then
            coverfrom=$p_author
            if [[ $p_subject =~ $subject_re ]]; then
                [ $((10#${BASH_REMATCH[3]})) -eq 0 ] && [ $((10#${BASH_REMATCH[4]})) -eq "$n" ] \
                    || fail "cover letter: subject '$p_subject' is not [PATCH 0/$n]"
            else
                fail "cover letter: subject '$p_subject' is not [PATCH 0/$n]"
            fi
            grep -q -e '\*\*\* SUBJECT HERE \*\*\*' -e '\*\*\* BLURB HERE \*\*\*' "$cover" \
                && fail "cover letter: still has format-patch's *** SUBJECT HERE *** / *** BLURB HERE *** placeholders"
        else
            fail "cover letter: git mailinfo cannot parse $cover"
        fi
    else
        fail "no 0000-cover-letter.patch in $patches (git format-patch -n --cover-letter)"
    fi
    grep -qx '0000-cover-letter.patch' "$patches/series" \
        && fail "series lists 0000-cover-letter.patch: the cover letter is not a patch to apply"

    # Every NNNN-*.patch of the directory is in the series, and only once.
    local -A inseries=()
    for p in "${series[@]}"; do
        [ -z "${inseries[$p]:-}" ] || fail "series lists $p twice"
        inseries[$p]=1
    done
    for p in "$patches"/[0-9][0-9][0-9][0-9]-*.patch; do
        [ -e "$p" ] || continue
        p=${p##*/}
        [ "$p" = 0000-cover-letter.patch ] || [ -n "${inseries[$p]:-}" ] \
            || fail "$p is in $patches but not in series (left over from an older cut?)"
    done

    for i in $(seq 1 "$n"); do
        p=${series[i-1]}
        if [ ! -f "$patches/$p" ]; then
            fail "[$i] series names $p, which is not in $patches"
            continue
        fi
        num=$(printf '%04d' "$i")
        [ "${p%%-*}" = "$num" ] || fail "[$i] $p: file name should start with $num- (git format-patch -n numbering)"
        if ! mailinfo "$patches/$p"; then
            fail "[$i] $p: git mailinfo cannot parse it (not a git format-patch mail?)"
            continue
        fi
        authors[$p_author]=$(( ${authors[$p_author]:-0} + 1 ))
        if [[ $p_subject =~ $subject_re ]]; then
            [ $((10#${BASH_REMATCH[3]})) -eq "$i" ] && [ $((10#${BASH_REMATCH[4]})) -eq "$n" ] \
                || fail "[$i] $p: subject says ${BASH_REMATCH[3]}/${BASH_REMATCH[4]}, position is $i/$n"
        else
            fail "[$i] $p: subject '$p_subject' is not '[PATCH $i/$n] ...'"
        fi
        sob=$(sed -n 's/^Signed-off-by:[[:space:]]*//p' "$work/msg")
        if [ -z "$sob" ]; then
            fail "[$i] $p: no Signed-off-by: (author $p_author)"
        elif ! grep -qxF "$p_author" <<< "$sob"; then
            fail "[$i] $p: no Signed-off-by: of its author $p_author (has: $(paste -sd';' <<< "$sob"))"
        fi
    done

    if [ ${#authors[@]} -ne 1 ]; then
        fail "${#authors[@]} author identities over the series, want one:"
        for author in "${!authors[@]}"; do
            printf "       %s patch(es) from %s\n" "${authors[$author]}" "$author" | tee -a "$log" >&2
        done
    elif [ -n "$coverfrom" ] && [ -z "${authors[$coverfrom]:-}" ]; then
        say "note: the cover letter is from $coverfrom, the patches from ${!authors[*]}"
    fi
    local before=$1
    if [ "$failures" -eq "$before" ]; then
        phases+=("format: OK")
    else
        phases+=("format: $((failures - before)) failure(s) (log: logs/format.log)")
    fi
    say "${phases[-1]}"
}

# ---------------------------------------------------------------- phase 2
g() { git -C "$amtree" "$@"; }
commits=() subjects=()

apply_phase() {
    log=$logs/apply.log
    : > "$log"
    [ -f "$pristine/xen/Makefile" ] && [ -f "$pristine/.hvm-depriv-pinned" ] \
        || die "$pristine missing: run 'make fetch' (or 'make') first"
    local pinned i p out before=$1
    pinned=$(cat "$pristine/.hvm-depriv-pinned")
    # The real directory: build/xen-pristine may be a symlink, and a copy of
    # the link would let a patch write into the pristine tree.
    pristine=$(cd -P "$pristine" && pwd)

    # A git tree of the pristine source, made once per pinned version.
    if ! [ -f "$work/pinned.stamp" ] || [ "$(cat "$work/pinned.stamp")" != "$pinned" ] \
        || ! g rev-parse -q --verify 'pinned^{commit}' >/dev/null 2>&1; then
        say "== apply: git tree of $pristine (xen $pinned) in $amtree"
        rm -rf "$amtree" "$srctree" "$work/pinned.stamp"
        mkdir "$amtree"
        cp -a "$pristine/." "$amtree/"
        [ -d "$amtree" ] && ! [ -L "$amtree" ] || die "$amtree is not a plain directory"
        rm -f "$amtree/.hvm-depriv-pinned"
        g init -q
        g config user.name check-series
        g config user.email check-series@invalid
        g config gc.auto 0
        g config core.autocrlf false
        g config advice.detachedHead false
        # -f: the tarball ships files that its own .gitignore names.
        g add -A -f .
        GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' GIT_COMMITTER_DATE='2000-01-01T00:00:00Z' \
            g commit -q -m "pinned" -m "xen $pinned, unpacked by scripts/fetch-xen.sh"
        g tag pinned
        echo "$pinned" > "$work/pinned.stamp"
    fi

    say "== apply: $n patch(es) with git am onto pinned"
    [ -d "$amtree/.git/rebase-apply" ] && g am --abort >/dev/null 2>&1 || true
    g checkout -q -f --detach pinned
    g clean -q -f -d
    for i in $(seq 1 "$n"); do
        p=${series[i-1]}
        [ -f "$patches/$p" ] || die "series names $p, which is not in $patches"
        if ! out=$(g am "$patches/$p" 2>&1); then
            printf '%s\n' "$out" | tee -a "$log" >&2
            g am --abort >/dev/null 2>&1 || true
            die "patch $i/$n $p does not apply with git am onto pinned + 1..$((i - 1)) (log: $log)"
        fi
        printf '%s\n' "$out" >> "$log"
        commits[i]=$(g rev-parse HEAD)
        subjects[i]=$(g log -1 --format=%s HEAD)
        if ! out=$(g show --check --format= HEAD 2>&1) || [ -n "$out" ]; then
            fail "[$i] $p: git show --check reports whitespace errors:"
            printf '%s\n' "$out" | sed 's/^/       /' | tee -a "$log" >&2
        fi
    done
    say "apply: tree of the whole series: $(g rev-parse 'HEAD^{tree}')"

    # Same tree as scripts/apply-patches.sh makes?  build/xen-src when it was
    # made from this very series, else a fresh one under build/series-check/.
    local stamp ref
    stamp=$( (cat "$pristine/.hvm-depriv-pinned"; for p in "${series[@]}"; do cat "$patches/$p"; done) | sha256sum | cut -d' ' -f1)
    if [ -f "$xensrc/.hvm-depriv-series" ] && [ "$(cat "$xensrc/.hvm-depriv-series")" = "$stamp" ]; then
        ref=$xensrc
    else
        ref=$work/apply-patches
        say "apply: build/xen-src is absent or from another series; running apply-patches.sh into $ref"
        if ! XEN_SRC_DIR=$ref XEN_PATCHES_DIR=$patches XEN_PRISTINE_DIR=$pristine \
            bash "$top/scripts/apply-patches.sh" >>"$log" 2>&1; then
            fail "scripts/apply-patches.sh fails on this series (log: $log)"
            ref=''
        fi
    fi
    if [ -n "$ref" ]; then
        # Compare through a scratch index: content and modes of every file;
        # files untracked in $ref and ignored by Xen's .gitignore are build
        # outputs.
        local idx=$work/compare.index diffs
        rm -f "$idx"
        GIT_INDEX_FILE=$idx g read-tree HEAD
        GIT_INDEX_FILE=$idx g --work-tree="$ref" update-index -q --refresh >/dev/null 2>&1 || true
        diffs=$( (GIT_INDEX_FILE=$idx g --work-tree="$ref" diff-files --name-status
                  GIT_INDEX_FILE=$idx g --work-tree="$ref" ls-files -o --exclude-standard |
                      grep -vx -e .hvm-depriv-series -e .hvm-depriv-pinned | sed 's/^/?\t/') || true)
        rm -f "$idx"
        if [ -n "$diffs" ]; then
            fail "the git am tree differs from apply-patches.sh's ($ref):"
            printf '%s\n' "$diffs" | head -n 40 | sed 's/^/       /' | tee -a "$log" >&2
        else
            say "apply: identical to apply-patches.sh's tree ($ref)"
        fi
    fi
    if [ "$failures" -eq "$before" ]; then
        phases+=("apply: OK, tree $(g rev-parse 'HEAD^{tree}')")
    else
        phases+=("apply: $((failures - before)) failure(s) (log: logs/apply.log)")
    fi
    say "${phases[-1]}"
}

# ---------------------------------------------------------------- phase 3
declare -A status=() secs=()

# The symbol of a fragment line, or nothing for comments.
frag_symbol() {
    case $1 in
        CONFIG_*=*) s=${1%%=*}; echo "${s#CONFIG_}" ;;
        "# CONFIG_"*" is not set") s=${1#\# CONFIG_}; echo "${s% is not set}" ;;
    esac
}

# configure CONFIG K: (re)configure obj-CONFIG for prefix K, the way
# build-xen.sh does.  Returns nonzero when the configuration is wrong.
configure() {
    local c=$1 k=$2 obj=$work/obj-$1 frag line sym
    local -a mk=(make -s -C "$srctree/xen" O="$obj")
    frag=$top/xen-patches/kconfig/$c.config
    [ "$c" = off ] && frag=$work/off.config && : > "$frag"
    mkdir -p "$obj"
    if ! [ -f "$obj/.config" ] || ! cmp -s "$frag" "$obj/.hvm-depriv-fragment"; then
        if [ "$c" = off ]; then
            echo "configure $c: plain defconfig"
        else
            echo "configure $c: defconfig + ${frag#"$top"/}"
        fi
        rm -f "$obj/.hvm-depriv-fragment" "$obj/.config.prev"
        "${mk[@]}" defconfig || return 1
    else
        cp -p "$obj/.config" "$obj/.config.prev"
    fi
    # Merge the fragment again at every prefix: olddefconfig drops a setting
    # whose symbol does not exist yet, and a later patch may add it.
    if [ -s "$frag" ]; then
        (cd "$obj" && "$srctree/xen/tools/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$frag") || return 1
    fi
    "${mk[@]}" olddefconfig || return 1
    # Xen's Makefile deletes include/config/auto.conf before syncconfig, so
    # a .config newer than it marks every CONFIG_ symbol changed and
    # rebuilds everything: keep the old file (and mtime) if nothing changed.
    if [ -f "$obj/.config.prev" ] && cmp -s "$obj/.config" "$obj/.config.prev"; then
        mv -f "$obj/.config.prev" "$obj/.config"
    else
        rm -f "$obj/.config.prev"
        [ -f "$obj/.hvm-depriv-fragment" ] && echo "configure $c: .config changed at prefix $k"
    fi
    cp "$frag" "$obj/.hvm-depriv-fragment"

    local bad=0
    while IFS= read -r line; do
        sym=$(frag_symbol "$line")
        [ -n "$sym" ] || continue
        grep -qx -- "$line" "$obj/.config" && continue
        if [ "$k" -lt "$n" ] && ! git -C "$srctree" grep -qE "^[[:space:]]*(menu)?config[[:space:]]+$sym[[:space:]]*\$" -- 'xen/*Kconfig*'; then
            echo "note: '$line': no $sym in Kconfig yet at prefix $k"
        else
            echo "ERROR: $c config at prefix $k: '$line' did not take (check its Kconfig dependencies)"
            bad=1
        fi
    done < "$frag"
    if [ "$c" = off ] && grep -q '^CONFIG_HVM_DEPRIV=y' "$obj/.config"; then
        echo "ERROR: plain defconfig gives CONFIG_HVM_DEPRIV=y at prefix $k: its default must be n"
        bad=1
    fi
    return "$bad"
}

build_phase() {
    local k c obj t0 clog st p
    for c in "${cfgs[@]}"; do
        [ "$c" = off ] && continue
        [ -f "$payload" ] || die "payload $payload missing: run 'make payload' (or 'make') first"
    done
    if ! [ -d "$srctree/.git" ] && ! [ -f "$srctree/.git" ]; then
        rm -rf "$srctree"
        g worktree prune
        g worktree add -q --detach "$srctree" pinned
    fi
    log=$logs/build.log
    : > "$log"
    say "== build: prefixes $from..$to of $n, configs ${cfgs[*]}, -j$jobs (logs: $logs/NN-<config>.log)"
    for k in $(seq "$from" "$to"); do
        # Only the files that differ from the previous checkout are rewritten
        # (new mtime), so make rebuilds what this patch changed.
        git -C "$srctree" checkout -q -f --detach "${commits[k]}"
        git -C "$srctree" clean -q -f -d
        for c in "${cfgs[@]}"; do
            obj=$work/obj-$c
            clog=$(printf '%s/%02d-%s.log' "$logs" "$k" "$c")
            t0=$(date +%s)
            {
                echo "prefix $k/$n: ${subjects[k]} (${commits[k]})"
                echo "config $c, $(date -u '+%F %T') UTC"
            } > "$clog"
            if ! configure "$c" "$k" >>"$clog" 2>&1; then
                st=CFG
            else
                local -a extra=()
                [ "$c" = off ] || extra=(HVM_DEPRIV_PAYLOAD="$payload")
                # XEN_CC="ccache gcc", say, for repeated runs.
                [ -z "${XEN_CC:-}" ] || extra+=(CC="$XEN_CC")
                if make -s -C "$srctree/xen" O="$obj" -j"$jobs" "${extra[@]}" >>"$clog" 2>&1 \
                    && [ -f "$obj/xen" ]; then
                    st=OK
                else
                    st=FAIL
                fi
            fi
            status[$k,$c]=$st
            secs[$k,$c]=$(( $(date +%s) - t0 ))
            grep -q '^note: ' "$clog" && grep '^note: ' "$clog" | sed "s/^/[$k $c] /" >> "$log"
            if [ "$st" = OK ]; then
                say "[$k/$n] $c: OK, ${secs[$k,$c]}s"
            else
                p=$(printf '%02d-%s.log' "$k" "$c")
                fail "[$k/$n] $c: $st after ${secs[$k,$c]}s (log: logs/$p)"
                grep -e '^ERROR' -e 'error:' -e 'Error ' "$clog" | head -n 5 | sed 's/^/       /' | tee -a "$log" >&2 || true
                if [ "$fail_fast" = 1 ]; then
                    to=$k
                    return
                fi
            fi
        done
    done
    [ "$to" -eq "$n" ] || say "note: prefix $n not built: the check that every fragment line takes at the end of the series did not run"
}

summary() {
    local k c line
    log=$logs/summary.txt
    : > "$log"
    for line in "${phases[@]}"; do say "$line"; done
    line=$(printf '%6s  %-52s' prefix subject)
    for c in "${cfgs[@]}"; do line+=$(printf '  %-12s' "$c"); done
    say "$line"
    for k in $(seq "$from" "$to"); do
        line=$(printf '%6s  %-52.52s' "$k/$n" "${subjects[k]}")
        for c in "${cfgs[@]}"; do
            if [ -n "${status[$k,$c]:-}" ]; then
                line+=$(printf '  %-4s %6ss ' "${status[$k,$c]}" "${secs[$k,$c]}")
            else
                line+=$(printf '  %-12s' -)
            fi
        done
        say "$line"
    done
}

before=0
[ "$do_format" = 1 ] && format_phase "$before"
if [ "$format_only" = 0 ]; then
    before=$failures
    apply_phase "$before"
    if [ "$do_build" = 1 ]; then
        build_phase
        summary
    fi
fi
log=/dev/null
if [ "$failures" -eq 0 ]; then
    echo "check-series: OK"
else
    echo "check-series: $failures failure(s); logs in $logs" >&2
    exit 1
fi
