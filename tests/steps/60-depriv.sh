#!/usr/bin/env bash
# The deprivileged mode itself: containment of every payload misbehaviour
# scenario (shadow and HAP), round trips, options, a full vm_event ring,
# speculation actions, NMI-time dumps, the NMI watchdog; see 60-depriv.py.
exec python3 "${0%.sh}.py" "$@"
