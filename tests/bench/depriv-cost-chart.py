#!/usr/bin/env python3
"""Bar chart of build/bench/depriv-cost.json (tests/bench/30-depriv-cost.sh).

    depriv-cost-chart.py depriv-cost.json depriv-cost.png

Grouped bars per operation: guest TSC ticks per operation with
hvm_depriv=0 and hvm_depriv=1 (mean less steal), each labelled with its
value, the group with the ratio and the ratio normalised to the reference
operation timed alongside (see 30-depriv-cost.sh).

Standard library only (a small RGB raster, a 5x7 bitmap font, zlib and
struct for the PNG), so that `make bench` needs nothing installed.
"""
import json
import struct
import sys
import zlib

# 5x7 glyphs, one string of 7 rows of 5 pixels each; text is upper-cased.
GLYPHS = {
    "A": ".###.#...##...#######...##...##...#",
    "B": "####.#...##...#####.#...##...#####.",
    "C": ".###.#...##....#....#....#...#.###.",
    "D": "####.#...##...##...##...##...#####.",
    "E": "######....#....####.#....#....#####",
    "F": "######....#....####.#....#....#....",
    "G": ".###.#...##....#.####...##...#.####",
    "H": "#...##...##...#######...##...##...#",
    "I": ".###...#....#....#....#....#...###.",
    "J": "..###...#....#....#....#.#..#..##..",
    "K": "#...##..#.#.#..##...#.#..#..#.#...#",
    "L": "#....#....#....#....#....#....#####",
    "M": "#...###.###.#.##.#.##...##...##...#",
    "N": "#...##...###..##.#.##..###...##...#",
    "O": ".###.#...##...##...##...##...#.###.",
    "P": "####.#...##...#####.#....#....#....",
    "Q": ".###.#...##...##...##.#.##..#..##.#",
    "R": "####.#...##...#####.#.#..#..#.#...#",
    "S": ".#####....#.....###.....#....#####.",
    "T": "#####..#....#....#....#....#....#..",
    "U": "#...##...##...##...##...##...#.###.",
    "V": "#...##...##...#.#.#..#.#..#.#...#..",
    "W": "#...##...##...##.#.##.#.##.#.#.#.#.",
    "X": "#...##...#.#.#...#...#.#.#...##...#",
    "Y": "#...##...#.#.#...#....#....#....#..",
    "Z": "#####....#...#...#...#...#....#####",
    "0": ".###.#...##..###.#.###..##...#.###.",
    "1": "..#...##....#....#....#....#...###.",
    "2": ".###.#...#....#...#...#...#...#####",
    "3": "####.....#....#.###.....#....#####.",
    "4": "...#...##..#.#.#..#.#####...#....#.",
    "5": "######....####.....#....##...#.###.",
    "6": ".###.#....#....####.#...##...#.###.",
    "7": "#####....#...#...#...#....#....#...",
    "8": ".###.#...##...#.###.#...##...#.###.",
    "9": ".###.#...##...#.####....#....#.###.",
    " ": "." * 35,
    ".": "." * 25 + ".##...##..",
    ",": "." * 20 + ".##....#...#...",
    "=": "..........#####.....#####..........",
    "-": "...............#####...............",
    "_": "." * 30 + "#####",
    ":": "......##...##........##...##.......",
    ";": "......##...##........##....#...#...",
    "/": "....#....#...#...#...#...#....#....",
    "(": "...#...#...#....#....#.....#.....#.",
    ")": ".#.....#.....#....#....#...#...#...",
    "%": "##..###..#...#...#...#...#..###..##",
    "+": ".......#....#..#####..#....#.......",
    "<": "...#...#...#...#.....#.....#.....#.",
    ">": ".#.....#.....#.....#...#...#...#...",
    "?": ".###.#...#....#...#...#.........#..",
}
for _c, _g in GLYPHS.items():
    assert len(_g) == 35, _c

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
GREY = (200, 200, 200)
DARK = (90, 90, 90)
COLOURS = {0: (70, 110, 170), 1: (230, 130, 40)}


class Canvas:
    def __init__(self, w, h):
        self.w, self.h = w, h
        self.px = bytearray(WHITE * (w * h))

    def rect(self, x0, y0, x1, y1, rgb):
        x0, x1 = max(0, min(x0, x1)), min(self.w, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(self.h, max(y0, y1))
        row = bytes(rgb) * (x1 - x0)
        for y in range(y0, y1):
            at = (y * self.w + x0) * 3
            self.px[at:at + len(row)] = row

    def text(self, x, y, s, scale=1, rgb=BLACK, anchor="left"):
        """Draw @s with its top at @y; anchor left/centre/right at @x."""
        s = s.upper()
        width = self.text_width(s, scale)
        if anchor == "centre":
            x -= width // 2
        elif anchor == "right":
            x -= width
        for ch in s:
            g = GLYPHS.get(ch, GLYPHS["?"])
            for i, bit in enumerate(g):
                if bit == "#":
                    gx, gy = i % 5, i // 5
                    self.rect(x + gx * scale, y + gy * scale,
                              x + (gx + 1) * scale, y + (gy + 1) * scale, rgb)
            x += 6 * scale

    @staticmethod
    def text_width(s, scale=1):
        return max(0, len(s) * 6 * scale - scale)

    def png(self):
        raw = b"".join(b"\0" + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3])
                       for y in range(self.h))

        def chunk(kind, data):
            return (struct.pack(">I", len(data)) + kind + data
                    + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))

        return (b"\x89PNG\r\n\x1a\n"
                + chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9))
                + chunk(b"IEND", b""))


def nice_step(top, ticks=5):
    """A round axis step giving about @ticks gridlines up to @top."""
    raw = top / ticks
    mag = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


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
    vmax = max(vals + [1.0])
    step = nice_step(vmax * 1.15)
    ymax = step * (int(vmax * 1.15 / step) + 1)
    px0, py0, px1, py1 = left, top, W - right, H - bottom

    def y_of(v):
        return int(py1 - (py1 - py0) * max(0.0, v) / ymax)

    # Grid and y labels.
    v = 0.0
    while v <= ymax + 1e-9:
        y = y_of(v)
        c.rect(px0, y, px1, y + 1, GREY)
        c.text(px0 - 8, y - 7, f"{v:,.0f}".replace(",", " "), 2, anchor="right")
        v += step
    c.rect(px0, py0, px0 + 2, py1 + 1, BLACK)
    c.rect(px0, py1, px1, py1 + 2, BLACK)

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
