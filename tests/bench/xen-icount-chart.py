#!/usr/bin/env python3
"""Chart of build/bench/xen-icount.json (tests/bench/40-xen-icount.sh).

    xen-icount-chart.py xen-icount.json xen-icount.png

Two panels, one group per operation.  Top: instructions counted per
operation with hvm_depriv=0 and =1 (the =1 bar split into Xen's text, the
payload and the rest), labelled with the ratio on/off and its goal.
Bottom: the cost model's cycles per operation (middle of its bracket) for
SVM (Zen 3/4) and VMX (Sapphire Rapids), off and on.

Standard library only (pngchart.py).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pngchart import COLOURS, DARK, Canvas, axis  # noqa: E402

PAYLOAD = (120, 170, 90)
LIGHT = {0: (150, 180, 220), 1: (245, 190, 140)}


def legend(c, x, y, items):
    for rgb, label in items:
        c.rect(x, y, x + 14, y + 14, rgb)
        c.text(x + 20, y + 1, label, 2)
        x += 26 + c.text_width(label, 2) + 24


def mid(v):
    return (v[0] + v[1]) / 2


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    data = json.load(open(argv[1]))
    ops = [o for o in data["ops"] if o["op"] != "empty" and o.get("depriv0")
           and o.get("depriv1")]
    cost = data.get("costmodel") or {}
    goals = data.get("targets") or {}
    W, H = 1100, 1040
    left, right = 110, 30
    c = Canvas(W, H)
    c.text(W // 2, 14, "hvm_depriv: cost per operation inside Xen", 3, anchor="centre")
    c.text(W // 2, 44, f"{data.get('flavour', '?')} Xen, {data.get('paging', '?')}, "
           "1 CPU; instructions counted by a QEMU TCG plugin (the most frequent of "
           f"{data.get('reps', 0) - data.get('warm', 0)} windows per operation)",
           1, DARK, anchor="centre")

    # Top panel: instructions.
    py0, py1 = 120, 470
    c.text(left, 68, "instructions per operation", 2)
    legend(c, left, 90, [(COLOURS[0], "hvm_depriv=0"), (COLOURS[1], "=1: xen"),
                         (PAYLOAD, "=1: payload"), (LIGHT[1], "=1: rest")])
    vmax = max([o[f"depriv{dp}"]["total"] for o in ops for dp in (0, 1)] + [1])
    y_of = axis(c, left, py0, W - right, py1, vmax)
    n = max(1, len(ops))
    gw = (W - right - left) / n
    bw = int(gw * 0.3)
    for i, o in enumerate(ops):
        gx = int(left + gw * i + gw / 2)
        a, b = o["depriv0"], o["depriv1"]
        x0 = gx - bw - 4
        c.rect(x0, y_of(a["total"]), x0 + bw, py1, COLOURS[0])
        c.text(x0 + bw // 2, y_of(a["total"]) - 12, f"{a['total']}", 1, anchor="centre")
        x1 = gx + 4
        base = 0
        for part, rgb in ((b["xen"], COLOURS[1]), (b["payload"], PAYLOAD),
                          (b["total"] - b["xen"] - b["payload"], LIGHT[1])):
            c.rect(x1, y_of(base + part), x1 + bw, y_of(base), rgb)
            base += part
        c.text(x1 + bw // 2, y_of(b["total"]) - 12, f"{b['total']}", 1, anchor="centre")
        c.text(gx, py1 + 10, o["op"], 2, anchor="centre")
        r, g = o.get("ratio"), goals.get(o["op"])
        c.text(gx, py1 + 32, "-" if r is None else f"x{r:.3f}", 2, anchor="centre")
        c.text(gx, py1 + 52, "" if g is None else f"goal <= {g:.2f}", 1, DARK,
               anchor="centre")
        c.text(gx, py1 + 64, f"calls {b['calls']} syscalls {b['syscalls']}", 1, DARK,
               anchor="centre")

    # Bottom panel: modelled cycles, SVM and VMX, off and on.
    py0, py1 = 640, 950
    c.text(left, 578, "modelled cycles per operation (costmodel.py, middle of the bracket)", 2)
    legend(c, left, 600, [(COLOURS[0], "SVM off"), (COLOURS[1], "SVM on"),
                          (LIGHT[0], "VMX off"), (LIGHT[1], "VMX on")])
    vals = [mid(cost[o["op"]][p][k]) for o in ops if o["op"] in cost
            for p in ("svm", "vmx") for k in ("off", "on")]
    y_of = axis(c, left, py0, W - right, py1, max(vals + [1]))
    bw = int(gw * 0.18)
    for i, o in enumerate(ops):
        gx = int(left + gw * i + gw / 2)
        m = cost.get(o["op"])
        c.text(gx, py1 + 10, o["op"], 2, anchor="centre")
        if not m:
            c.text(gx, py1 - 20, "n/a", 2, anchor="centre")
            continue
        bars = ((m["svm"]["off"], COLOURS[0]), (m["svm"]["on"], COLOURS[1]),
                (m["vmx"]["off"], LIGHT[0]), (m["vmx"]["on"], LIGHT[1]))
        for k, (v, rgb) in enumerate(bars):
            x = int(gx - 2 * bw - 3 + k * (bw + 2))
            c.rect(x, y_of(mid(v)), x + bw, py1, rgb)
        svm, vmx = m["svm"], m["vmx"]
        c.text(gx, py1 + 32, f"svm x{mid(svm['on']) / mid(svm['off']):.2f}", 1,
               anchor="centre")
        c.text(gx, py1 + 44, f"vmx x{mid(vmx['on']) / mid(vmx['off']):.2f}", 1,
               anchor="centre")

    with open(argv[2], "wb") as f:
        f.write(c.png())


if __name__ == "__main__":
    main(sys.argv)
