#!/bin/sh
# check-flags.sh IMAGE...: every C compilation unit linked into each guest
# image was compiled with the same flags.  GCC records its command-line
# options in each unit's DWARF DW_AT_producer (-grecord-gcc-switches, on by
# default with -g); an image mixing units built with different flags (an
# object left by an earlier build, e.g. without -mregparm=3) calls across
# them with the wrong convention.  Prints one line per bad image and exits
# non-zero if there is one.  (A test that wanted other code-generation flags
# for its own units than the runtime's would have to be exempted here;
# none does: the tests' Makefiles add no CFLAGS.)
rc=0
for img in "$@"; do
    producers=$(readelf --debug-dump=info "$img" 2>/dev/null |
                sed -n 's/.*DW_AT_producer *:.*: \(GNU C.*\)$/\1/p' | sort -u)
    if [ -z "$producers" ]; then
        echo "check-flags: $img: no C unit with a DW_AT_producer (built without -g?)" >&2
        rc=1
    elif [ "$(printf '%s\n' "$producers" | wc -l)" -ne 1 ]; then
        echo "check-flags: $img: C units compiled with different flags:" >&2
        printf '%s\n' "$producers" | sed 's/^/  /' >&2
        rc=1
    fi
done
exit $rc
