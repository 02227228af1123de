"""A small PNG bar-chart canvas for the bench reports, standard library only.

A white RGB raster with filled rectangles and text in a 5x7 bitmap font
(upper case), written as a PNG with zlib and struct, so that `make bench`
needs nothing installed.  Used by depriv-cost-chart.py and
xen-icount-chart.py.
"""
import struct
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


def axis(c, px0, py0, px1, py1, vmax):
    """Grid and y labels from 0 to a round top above @vmax; returns y_of()."""
    step = nice_step(vmax * 1.15)
    ymax = step * (int(vmax * 1.15 / step) + 1)

    def y_of(v):
        return int(py1 - (py1 - py0) * max(0.0, v) / ymax)

    v = 0.0
    while v <= ymax + 1e-9:
        y = y_of(v)
        c.rect(px0, y, px1, y + 1, GREY)
        c.text(px0 - 8, y - 7, f"{v:,.0f}".replace(",", " "), 2, anchor="right")
        v += step
    c.rect(px0, py0, px0 + 2, py1 + 1, BLACK)
    c.rect(px0, py1, px1, py1 + 2, BLACK)
    return y_of
