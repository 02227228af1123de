"""The payload's misbehaviour scenarios (hvm_depriv=selftest; guests
tests/xtf/tests/depriv-NAME run scenario NAME, see
depriv-rs/payload/src/selftest.rs) and the report Xen must print for each
as it crashes the victim: "dNv0: hvm_depriv: <report>".  Shared by the
containment steps (60-depriv under QEMU/SVM, 80-bochs-vmx under
Bochs/VMX), with the check of the payload aborts a victim's counters show."""

# scenario: expected report, as on AMD SVM
SCENARIOS = {
    "wild-read": "exception 14, error code 0x4,",
    "wild-write": "exception 14, error code 0x6,",
    "write-text": "exception 14, error code 0x7,",
    "exec-state": "exception 14, error code 0x15,",
    "ud2": "exception 6,",
    "div0": "exception 0,",
    "stack-overflow": "exception 14, error code 0x6,",
    "watchdog": "call ran past its budget",
    "syscall-storm": "more than 8 refused syscalls in one call",
    "panic": "payload aborted",
    "int80": "exception 13, error code 0x402,",
    # AMD: #UD in long mode (QEMU models it); Intel: #GP(0), SYSENTER_CS = 0.
    "sysenter": "exception 6,",
    "priv-insn": "exception 13, error code 0,",
    "single-step": "exception 1,",
    "rtc-bad-request": "RTC request 4/0x70 refused",
    "pic-bad-edge": "PIC edge on IRQ 8 refused (error -22)",
    "pic-ack-stuck": "PIC acknowledge refused (error -22)",
    "rtc-short-period": "RTC request 4/0x70 refused (error -22)",
    "watchdog-syscalls": "call ran past its budget",
    "rtc-stretch": "calls since the last VM entry ran past the budget",
    # A real-mode FWAIT (forced emulation) delegated after a memory read.
    "rm-delegate": "real-mode result (delegated after an access 0x9b) refused (error -22)",
}

# Where Intel VMX differs: SYSENTER is valid in 64-bit mode on Intel, and Xen
# sets SYSENTER_CS to 0 for a call, so it raises #GP(0) (AMD: #UD).
VMX = {"sysenter": "exception 13, error code 0,"}


def report(scenario, vmx=False):
    """The report line's text after "hvm_depriv: " for @scenario."""
    return (VMX if vmx else {}).get(scenario, SCENARIOS[scenario])


def aborts_check(checks, cnt, scen, what):
    """A victim's per-vCPU counters (@cnt) count the payload's ABORT
    syscalls: the "panic" scenario's one, nobody else's."""
    want = 1 if scen == "panic" else 0
    got = (cnt or {}).get("aborts")
    checks.check(got == want, f"{what}: payload aborts counted {got} (want {want})")
