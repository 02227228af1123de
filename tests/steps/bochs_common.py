"""What the Bochs steps (80-bochs-vmx on corei7_skylake_x, 82-bochs-cet on
tigerlake with CET) share: the batches of a boot under hvm_depriv=selftest
(the baseline guests, the containment matrix in batches with a bystander
each, the misc guests) and the checks of its guests (the verdict, the
payload's work, each victim's report, cleared monitor tables and counted
aborts), the unrestricted_guest=0 boot's header, the realmode guest's
checks there, and the digests compared between boots."""
from hvmharness.log import digest_diff
from hvmharness.spec import parse
from hvmharness.verdict import depriv_work
from depriv_scenarios import SCENARIOS, aborts_check, report

MISC = "depriv-rm-tie+depriv-gdt+runtime-selftest+depriv-count"
# The payload must have done each guest's work (counters, unrestricted guest).
WANT = {"vpic": ["pic-io", "pic-ack", "pic-edge"], "vrtc": ["rtc-io"],
        "realmode": ["realmode", "syscalls"], "depriv-rm-msr": ["realmode"],
        "rm-firmware": ["realmode", "pic-io", "rtc-io"]}
# ... and every real-mode instruction with unrestricted_guest=0.
WANT_UG0 = {"realmode": ["realmode"], "rm-firmware": ["realmode"]}
DIGESTS = ["realmode", "rm-firmware"]


def matrix(per_batch):
    """The containment matrix: every scenario of depriv_scenarios as a
    victim (":crash"), @per_batch of them a batch, with a bystander
    (depriv-echo) in each batch."""
    out, names = [], list(SCENARIOS)
    for b, i in enumerate(range(0, len(names), per_batch)):
        out.append("+".join([f"depriv-{s}:crash" for s in names[i:i + per_batch]]
                            + [f"bystander{b + 1}=depriv-echo"]))
    return out


def batches(baseline, per_batch, misc=MISC):
    """The batches of a hvm_depriv=selftest boot: @baseline, the matrix,
    @misc."""
    return [baseline] + matrix(per_batch) + [misc]


def n_checks(specs, want=WANT):
    """How many checks depriv_guest_checks() makes for the guests of @specs."""
    gs = [g for b in parse(specs) for g in b]
    return len(gs) + sum(3 for g in gs if _scenario(g.name)) + sum(1 for g in gs if g.test in want)


def guest_check(checks, log, g, what, good=None, why=None):
    """The guest's verdict (or @good/@why, when the caller judges more)."""
    good = g.ok if good is None else good
    checks.check(good, f"{what}{g.name}: expected {g.expect}, got {g.result or '-'}"
                 f"{' (crashed)' if g.crashed else ''}"
                 + ("" if good else f" - {why or g.why}"), [] if good else log.failure_details(g))


def work_check(checks, log, g, want, what=""):
    """For a guest of @want: the payload did its work (each counter of
    want[guest] > 0) and contained nothing (depriv_work())."""
    if g.test not in want:
        return
    good, cnt, problems = depriv_work(log, g.domid, want[g.test])
    checks.check(good, f"{what}{g.name}: run by the payload ("
                 + " ".join(f"{k}={cnt.get(k, 0)}" for k in want[g.test]) + "), nothing contained"
                 + (f" -- {', '.join(problems)}" if problems else ""))


def _scenario(name):
    scen = name[len("depriv-"):] if name.startswith("depriv-") else None
    return scen if scen in SCENARIOS else None


def victim_checks(checks, log, g, what=""):
    """For a containment victim (guest depriv-SCENARIO): Xen's report (the
    VMX variant), every monitor table it mapped cleared and its payload
    aborts counted (aborts_check(): 3 checks)."""
    scen = _scenario(g.name)
    if scen is None:
        return
    line = f"d{g.domid}v0: hvm_depriv: {report(scen, vmx=True)}"
    checks.check(g.domid is not None and line in log, f"{what}{g.name}: Xen reported '{line}'")
    cnt = log.vcpu_counters(g.domid) if g.domid is not None else None
    mt = (cnt or {}).get("monitor-tables", 0)
    cl = (cnt or {}).get("monitor-tables-cleared")
    checks.check(cl is not None and mt >= 1 and cl == mt,
                 f"{what}{g.name}: every monitor table mapped was cleared ({mt} mapped, {cl} cleared)")
    aborts_check(checks, cnt, scen, f"{what}{g.name}")


def depriv_guest_checks(checks, res, want=WANT, what=""):
    """Every guest of a hvm_depriv=selftest boot with unrestricted guest:
    its verdict, a victim's report, monitor tables and aborts, the payload's
    work (@want) -- n_checks() of them."""
    for g in res.guests:
        guest_check(checks, res.log, g, what)
        victim_checks(checks, res.log, g, what)
        work_check(checks, res.log, g, want, what)


def ug0_header_check(checks, r, n, what, extra=()):
    """An unrestricted_guest=0 boot: @n CPUs up, no unrestricted guest,
    guests ran, clean shutdown, and the lines @extra in the log (1 check)."""
    missing = [s for s in extra if s not in r.log]
    good = f"Brought up {n} CPU" in r.log and bool(r.guests) and " - Unrestricted Guest" not in r.log \
        and not r.boot_problem and not missing
    checks.check(good, what + f"Xen brought up {n} CPU(s), no unrestricted guest, shut down cleanly"
                 + "".join(f", '{s}'" for s in extra)
                 + ("" if good else f" -- not so ({r.boot_problem or 'see ' + r.log_rel}"
                    + (f"; missing {missing}" if missing else "") + ")"))


def ug0_guest_check(checks, r, g, what):
    """A guest's verdict with unrestricted_guest=0: inside vmx_realmode()
    the FEP prefix is a plain UD2, so realmode must have seen that and run
    its cases natively (all emulated)."""
    good, why = g.ok, g.why
    if g.test == "realmode" and g.ok and \
            not r.log.search(rf"^\(d{g.domid}\) Forced emulation in real mode: #UD"):
        good, why = False, "did not run native-only (FEP works in vmx_realmode()?)"
    guest_check(checks, r.log, g, what, good, why)


def delegation_check(checks, r, g, what):
    """realmode's x87/FWAIT cases: the delegation policy (xen-patches/0019),
    logged once per domain and counted per vCPU (realmode-xen)."""
    m = r.log.search(rf"^\(XEN\) d{g.domid}v\d+ hvm_depriv: real mode: opcode (0x[0-9a-f]+) "
                     r"delegated to x86_emulate\(\)")
    n = (r.log.vcpu_counters(g.domid) or {}).get("realmode-xen")
    checks.check(m is not None and n is not None and n > 0,
                 what + f"{g.name}: Xen logged a delegation to x86_emulate() "
                 f"({'opcode ' + m.group(1) if m else 'none'}) and counted {n} (realmode-xen)")


def digests_of(res, tests=DIGESTS):
    """({test: digest}, {test: case digests}) of a boot's guests @tests."""
    return ({g.test: res.log.digest(g.domid) for g in res.guests if g.test in tests},
            {g.test: res.log.case_digests(g.domid) for g in res.guests if g.test in tests})


def digest_checks(checks, r, ref, what, of="the unrestricted guest's under the mode", tests=DIGESTS):
    """Each guest of @tests in boot @r printed the same digest as in the
    reference (@ref, from digests_of()); on a mismatch the cases that
    differ (len(tests) checks)."""
    digests, cases = ref
    for t in tests:
        g = next((g for g in r.guests if g.test == t), None)
        d = r.log.digest(g.domid) if g else None
        same = d is not None and d == digests.get(t)
        checks.check(same, what + f"{t}: digest equal to {of}: "
                     f"{d or '-'} vs {digests.get(t) or '-'}",
                     [] if same or not g else
                     [f"{t}: {x}" for x in digest_diff(r.log.case_digests(g.domid), cases.get(t, []))])
