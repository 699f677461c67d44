#!/usr/bin/env python3
"""bench/plot.py RESULTS.json OUT.svg — a bar chart of every benchmark group
from bench/run.py's JSON: one panel per (benchmark, parameter, placement),
one bar per implementation (median), sabq in its own colour, min–max as a
whisker. Hand-written SVG: no plotting library needed."""
import json
import sys
from html import escape


def main(src, dst):
    with open(src) as f:
        data = json.load(f)
    groups = {}
    for s in data["summary"]:
        groups.setdefault((s["bench"], s["param"], s.get("placement", "")), []).append(s)
    panel_w, panel_h, bar_h, cols = 440, 0, 16, 2
    panels = []
    for (bench, param, placement), rows in groups.items():
        rows.sort(key=lambda r: r["impl"])
        where = f", {placement}" if placement else ""
        panels.append((f"{bench} — {param}{where} ({rows[0]['unit']}{', lower is better' if rows[0]['unit'] in ('ns', '% of a core') else ''})", rows))
    heights = [40 + bar_h * 1.5 * len(rows) for _, rows in panels]
    rows_of_panels = [panels[i:i + cols] for i in range(0, len(panels), cols)]
    y, parts = 50, []
    for ri, row in enumerate(rows_of_panels):
        h = max(heights[ri * cols:(ri + 1) * cols])
        for ci, (title, bars) in enumerate(row):
            x0 = 20 + ci * (panel_w + 30)
            parts.append(f'<text x="{x0}" y="{y}" font-size="12" font-weight="bold">{escape(title)}</text>')
            top = max(b["max"] for b in bars) or 1
            for bi, b in enumerate(bars):
                by = y + 12 + bi * bar_h * 1.5
                w = 260 * b["median"] / top
                colour = "#d9480f" if b["impl"].startswith("sabq") else "#868e96"
                parts.append(f'<text x="{x0}" y="{by + 12}" font-size="11">{escape(b["impl"])}</text>')
                parts.append(f'<rect x="{x0 + 90}" y="{by}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>')
                lo, hi = 260 * b["min"] / top, 260 * b["max"] / top
                parts.append(f'<line x1="{x0 + 90 + lo:.1f}" x2="{x0 + 90 + hi:.1f}" y1="{by + bar_h / 2}" y2="{by + bar_h / 2}" stroke="#000" stroke-width="1"/>')
                parts.append(f'<text x="{x0 + 95 + max(w, hi):.1f}" y="{by + 12}" font-size="10">{b["median"]:.3g}</text>')
        y += h + 20
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{cols * (panel_w + 30) + 20}" height="{y}" '
            f'font-family="sans-serif"><rect width="100%" height="100%" fill="#fff"/>'
            f'<text x="20" y="24" font-size="14" font-weight="bold">sabq benchmarks — medians of {data["runs"]} runs, '
            f'{escape(data["machine"])}</text>')
    with open(dst, "w") as f:
        f.write(head + "".join(parts) + "</svg>\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
