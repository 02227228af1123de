#!/usr/bin/env python3
"""Bar chart of build/bench/depriv-cost.json (tests/bench/30-depriv-cost.sh).

    depriv-cost-chart.py depriv-cost.json depriv-cost.png

Grouped bars per operation: guest TSC ticks per operation with
hvm_depriv=0 and hvm_depriv=1 (mean less steal), each labelled with its
value, the group with the ratio and the ratio normalised to the reference
operation timed alongside (see 30-depriv-cost.sh).

Standard library only (pngchart.py), so that `make bench` needs nothing
installed.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pngchart import COLOURS, DARK, Canvas, axis  # noqa: E402


def main(argv):
    if len(argv) != 3:
        sys.exit(__doc__)
    data = json.load(open(argv[1]))
    ops = data["ops"]
    W, H = 960, 560
    left, right, top, bottom = 100, 30, 110, 90
    c = Canvas(W, H)

    c.text(W // 2, 14, "hvm_depriv: in-guest cost per operation", 3, anchor="centre")
    c.text(W // 2, 44, f"guest TSC ticks per operation, mean less steal, empty loop subtracted; "
           f"{data.get('flavour', '?')} Xen, {data.get('paging', '?')}, QEMU TCG", 1,
           DARK, anchor="centre")
    c.text(W // 2, 56, f"{data.get('iters', '?')} iterations per operation "
           f"({data.get('rm_iters', '?')} for rm-mmio); ratio = depriv=1 / depriv=0 "
           f"(target <= {data.get('target_ratio', 1.1):.2f})", 1, DARK, anchor="centre")
    # Legend.
    lx = W - right - 350
    for dp in (0, 1):
        c.rect(lx, 78, lx + 16, 94, COLOURS[dp])
        c.text(lx + 22, 80, f"hvm_depriv={dp}", 2)
        lx += 170

    vals = [v for o in ops for dp in (0, 1)
            for v in [o[f"depriv{dp}"].get("cycles")] if v is not None]
    px0, py0, px1, py1 = left, top, W - right, H - bottom
    y_of = axis(c, px0, py0, px1, py1, max(vals + [1.0]))

    n = max(1, len(ops))
    gw = (px1 - px0) / n
    bw = int(gw * 0.28)
    for i, o in enumerate(ops):
        gx = int(px0 + gw * i + gw / 2)
        for dp in (0, 1):
            v = o[f"depriv{dp}"].get("cycles")
            x0 = gx - bw - 4 if dp == 0 else gx + 4
            if v is None:
                c.text(x0 + bw // 2, py1 - 20, "n/a", 2, anchor="centre")
                continue
            c.rect(x0, y_of(v), x0 + bw, py1, COLOURS[dp])
            c.text(x0 + bw // 2, y_of(v) - 12, f"{v:.0f}", 1, anchor="centre")
        c.text(gx, py1 + 10, o["op"], 2, anchor="centre")
        r, nr = o.get("ratio"), o.get("norm_ratio")
        c.text(gx, py1 + 32, "ratio " + ("-" if r is None else f"x{r:.3f}"), 2,
               anchor="centre")
        c.text(gx, py1 + 54, "normalised to ref " + ("-" if nr is None else f"x{nr:.3f}"), 1,
               DARK, anchor="centre")
        cpo = o.get("calls_per_op")
        c.text(gx, py1 + 66, "depriv calls/op " + ("-" if cpo is None else f"{cpo:.3f}"),
               1, DARK, anchor="centre")

    with open(argv[2], "wb") as f:
        f.write(c.png())


if __name__ == "__main__":
    main(sys.argv)
