"""The README's chart: gainers and losers by education level per shipped reform, from
bench/reports/simulation.json (written by bench/bench_simulation.py), as an SVG.

    .venv/bin/python bench/simulation_chart.py [--report FILE] [--output FILE]"""

import argparse
import json
from pathlib import Path

LEVELS = ("low", "medium", "high")
WIDTH, ROW, BAR = 760, 26, 9


def chart(report: dict[str, object]) -> str:
    runs = report["runs"]
    assert isinstance(runs, dict)
    lines, y = [], 40
    peak = 1
    data = []
    for name, run in runs.items():
        for level in LEVELS:
            row = next(
                (
                    r
                    for r in run["rows"]
                    if r.get("educationLevel") == level and r["incentive"] == "allCosted"
                ),
                None,
            )
            gain = int(row["gainers"]) if row and row["gainers"] else 0
            loss = int(row["losers"]) if row and row["losers"] else 0
            peak = max(peak, gain, loss)
            data.append((name, level, gain, loss))
    mid = 430
    scale = (WIDTH - mid - 40) / peak
    current = None
    for name, level, gain, loss in data:
        if name != current:
            current = name
            y += 10
            lines.append(f'<text x="10" y="{y + 4}" font-weight="bold">{name}</text>')
            y += ROW - 8
        lines.append(f'<text x="30" y="{y + 4}">{level}</text>')
        lines.append(
            f'<rect x="{mid - loss * scale:.1f}" y="{y - BAR + 3}" width="{loss * scale:.1f}" '
            f'height="{BAR}" fill="#c0392b"/>'
        )
        lines.append(
            f'<rect x="{mid}" y="{y - BAR + 3}" width="{gain * scale:.1f}" height="{BAR}" '
            f'fill="#27ae60"/>'
        )
        lines.append(
            f'<text x="{mid + gain * scale + 4:.1f}" y="{y + 4}" font-size="10">{gain:,}</text>'
        )
        lines.append(
            f'<text x="{mid - loss * scale - 4:.1f}" y="{y + 4}" font-size="10" '
            f'text-anchor="end">{loss:,}</text>'
        )
        y += ROW - 8
    height = y + 30
    title = (
        f"Gainers (green) and losers (red) of public spending, by education level, "
        f"{report['citizens']:,} bench citizens"
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'font-family="sans-serif" font-size="12">'
        f'<rect width="100%" height="100%" fill="white"/>'
        f'<text x="10" y="20" font-size="13">{title}</text>'
        f'<line x1="{mid}" y1="30" x2="{mid}" y2="{height - 20}" stroke="#555"/>'
        + "".join(lines)
        + "</svg>\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", default="bench/reports/simulation.json")
    parser.add_argument("--output", default="docs/simulation-gainers-losers.svg")
    args = parser.parse_args()
    Path(args.output).write_text(chart(json.loads(Path(args.report).read_text())))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
