#!/usr/bin/env python3
"""The pause against the database's size as an SVG line chart (issue 28), from the CSV that
bench/scripts/pause-vs-size.sh writes: one line per (file system, path), the median pause over the
runs at each size, on a logarithmic time axis so that a flat line and a proportional one both read.
No plotting library: the SVG is written by hand, so the script runs wherever python3 does.

    bench/scripts/plot-pause.py pause-vs-size.csv [more.csv ...] > docs/pause-vs-size.svg
"""
import csv
import math
import statistics
import sys

WIDTH, HEIGHT = 760, 440
LEFT, RIGHT, TOP, BOTTOM = 70, 230, 40, 60
COLOURS = {
    ("xfs-reflink", "capture"): "#1b9e77",
    ("btrfs", "capture"): "#66a61e",
    ("ext4-journal", "capture"): "#a6761d",
    ("ext4-journal", "precopy"): "#7570b3",
    ("xfs-reflink", "precopy"): "#b3b0dd",
    ("btrfs", "precopy"): "#cfcde8",
    ("ext4-journal", "plain"): "#d95f02",
    ("xfs-reflink", "plain"): "#e7298a",
    ("btrfs", "plain"): "#f4a3c8",
}
LABELS = {"capture": "capture", "precopy": "pre-copy + 1 MiB", "plain": "lock held throughout"}


def main(paths):
    cases = {}
    for path in paths:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                key = (row["fs"], row["path"])
                cases.setdefault(key, {}).setdefault(int(row["size_gib"]), []).append(float(row["pause_ms"]))
    lines = {key: sorted((size, statistics.median(v)) for size, v in by_size.items()) for key, by_size in cases.items()}
    sizes = sorted({size for points in lines.values() for size, _ in points})
    lo = min(ms for points in lines.values() for _, ms in points)
    hi = max(ms for points in lines.values() for _, ms in points)
    y_lo = 10 ** math.floor(math.log10(max(lo, 0.1)))
    y_hi = 10 ** math.ceil(math.log10(hi))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(size):
        if len(sizes) == 1:
            return LEFT + plot_w / 2
        return LEFT + plot_w * (math.log2(size) - math.log2(sizes[0])) / (math.log2(sizes[-1]) - math.log2(sizes[0]))

    def y_of(ms):
        return TOP + plot_h * (1 - (math.log10(max(ms, y_lo)) - math.log10(y_lo)) / (math.log10(y_hi) - math.log10(y_lo)))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" font-size="12">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
           f'<text x="{LEFT}" y="22" font-size="14" font-weight="bold">Write pause against storage size (median of the runs; log scale)</text>']
    decade = y_lo
    while decade <= y_hi:
        y = y_of(decade)
        label = f"{decade:g} ms" if decade < 1000 else f"{decade / 1000:g} s"
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
        decade *= 10
    for size in sizes:
        x = x_of(size)
        out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#eee"/>')
        out.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{size} GiB</text>')
    out.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 18}" text-anchor="middle">size of storage.dat (fully written)</text>')
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#888"/>')
    legend_y = TOP + 8
    for key in sorted(lines, key=lambda k: (k[1] != "capture", k[1] != "precopy", k[0])):
        colour = COLOURS.get(key, "#444")
        points = " ".join(f"{x_of(s):.1f},{y_of(ms):.1f}" for s, ms in lines[key])
        dash = ' stroke-dasharray="6,4"' if key[1] == "plain" else ""
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        for s, ms in lines[key]:
            out.append(f'<circle cx="{x_of(s):.1f}" cy="{y_of(ms):.1f}" r="3.5" fill="{colour}"><title>{key[0]} {LABELS.get(key[1], key[1])}, {s} GiB: {ms:.1f} ms</title></circle>')
        out.append(f'<line x1="{LEFT + plot_w + 14}" x2="{LEFT + plot_w + 38}" y1="{legend_y}" y2="{legend_y}" stroke="{colour}" stroke-width="2.5"{dash}/>')
        out.append(f'<text x="{LEFT + plot_w + 44}" y="{legend_y + 4}">{key[0]}: {LABELS.get(key[1], key[1])}</text>')
        legend_y += 20
    out.append("</svg>")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1:])
