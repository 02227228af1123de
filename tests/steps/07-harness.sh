#!/usr/bin/env bash
# The harness's own host-side tests: its serial-log reader on interleaved
# lines (tests/harness/test_log.py).  No Xen, no emulator.
set -uo pipefail
exec python3 "$TOP/tests/harness/test_log.py"
