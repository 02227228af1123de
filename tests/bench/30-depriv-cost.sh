#!/usr/bin/env bash
# In-guest cost of the deprivileged mode (release Xen, hvm_depriv=0 vs =1,
# four operations timed in the guest); see 30-depriv-cost.py.
exec python3 "${0%.sh}.py" "$@"
