"""The table the benchmark prints (Markdown, for the README) and the JSON report it writes."""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.load import Load
from bench.pgbench import PgbenchResult


@dataclass
class Row:
    scenario: str
    rate: float
    p50_ms: float | None
    p99_ms: float | None
    ok: int
    failed: int
    compared_to: str | None
    ratio: float | None
    target: str | None
    met: bool | None
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        scenario: str,
        load: Load,
        ok: int,
        ceiling: float | None,
        ceiling_name: str | None,
        target: str | None,
        met: bool | None,
        detail: dict[str, Any] | None = None,
    ) -> "Row":
        return cls(
            scenario,
            load.rate,
            load.p50_ms,
            load.p99_ms,
            ok,
            load.requests - ok + load.socket_errors,
            ceiling_name,
            load.rate / ceiling if ceiling else None,
            target,
            met,
            (detail or {}) | {"responses": load.counts, "seconds": load.seconds, "cpu": load.cpu},
        )

    @classmethod
    def batch(cls, scenario: str, result: dict[str, Any], target: str | None) -> "Row":
        seconds = float(result["grantSeconds"])
        return cls(
            scenario + f": {seconds:.1f} s",
            float(result["citizensPerSecond"]),
            None,
            None,
            int(result["citizens"]),
            0,
            None,
            None,
            target,
            seconds < 120 if target else None,
            dict(result),
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "perSecond": round(self.rate, 1),
            "p50Ms": self.p50_ms,
            "p99Ms": self.p99_ms,
            "ok": self.ok,
            "failed": self.failed,
            "comparedTo": self.compared_to,
            "ratio": round(self.ratio, 4) if self.ratio is not None else None,
            "target": self.target,
            "met": self.met,
            "detail": self.detail,
        }


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def print_table(rows: list[Row], ceilings: dict[str, PgbenchResult]) -> None:
    print("\n| scenario | per second | p50 ms | p99 ms | ok / failed | vs pgbench | target | met |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for name, result in ceilings.items():
        print(
            f"| pgbench {name} | {result.tps:,.0f} tps | {result.latency_ms:.2f} (avg) | | | | | |"
        )
    for row in rows:
        ratio = f"{row.ratio:.1%} of {row.compared_to}" if row.ratio is not None else ""
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        cells = [
            row.scenario,
            f"{row.rate:,.0f}",
            _ms(row.p50_ms),
            _ms(row.p99_ms),
            f"{row.ok:,} / {row.failed:,}",
            ratio,
            row.target or "",
            met,
        ]
        print("| " + " | ".join(cells) + " |")


def write_report(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
