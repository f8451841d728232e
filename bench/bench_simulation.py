"""``llr simulate`` for N citizens with stored facts (default 100,000), every shipped reform,
beside the same run's pgbench tpcb-like and ``llr grant`` rate (on a smaller population: it
writes the ledger).

    .venv/bin/python bench/bench_simulation.py [--citizens 100000] [--grant-citizens 20000]

Facts are seeded by ``bench/seed.py``; the results (per reform, by education level) are written
to bench/reports/simulation.json for the README table and ``bench/simulation_chart.py``."""

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.commands.ledger import grant
from app.commands.simulate import run_simulation
from app.domain.simulation import formats, results
from app.domain.simulation.reform import named_reforms
from app.domain.statistics.dimensions import Dimension
from app.migrate import upgrade
from app.settings import Settings
from bench import pgbench
from bench.database import server
from bench.seed import seed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--grant-citizens", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=5, help="pgbench run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--report", default="bench/reports/simulation.json")
    args = parser.parse_args()
    report: dict[str, object] = {"citizens": args.citizens}
    with server() as db:
        ceiling = db.database("bench_pgbench")
        pgbench.initialise(ceiling, 10)
        tpcb = pgbench.measure(ceiling, select_only=False, clients=8, seconds=args.seconds)
        report["pgbenchTpcbTps"] = round(tpcb.tps)
        url = db.database("bench_grant")
        upgrade(url)
        seed(url, args.grant_citizens)
        settings = Settings(database_url=url, db_statement_timeout_ms=0)
        started = time.perf_counter()
        granted = asyncio.run(grant(settings, url, None, None, 5000))
        report["grantCitizensPerSecond"] = round(granted.citizens / (time.perf_counter() - started))
        url = db.database("bench_simulation")
        upgrade(url)
        started = time.perf_counter()
        seed(url, args.citizens)
        report["seedSeconds"] = round(time.perf_counter() - started, 1)
        settings = Settings(database_url=url, db_statement_timeout_ms=0)
        runs = {}
        for name, reform in named_reforms().items():
            tally, seconds = asyncio.run(
                run_simulation(settings, url, reform, reform.period, args.workers)
            )
            published = results.publish(tally, (Dimension.EDUCATION_LEVEL,))
            runs[name] = {
                "title": reform.title,
                "period": reform.period,
                "seconds": round(seconds, 1),
                "citizensPerSecond": round(args.citizens / seconds),
                "evaluations": tally.evaluations,
                "rows": formats.to_data(published),
            }
            print(
                f"{name}: {seconds:.1f} s, {args.citizens / seconds:,.0f} citizens/s, "
                f"{tally.evaluations:,} evaluations",
                flush=True,
            )
        report["runs"] = runs
    print(
        f"\npgbench tpcb-like (8 clients): {tpcb.tps:,.0f} tps; llr grant "
        f"({args.grant_citizens:,} citizens): {report['grantCitizensPerSecond']:,} citizens/s"
    )
    Path(args.report).parent.mkdir(parents=True, exist_ok=True)
    Path(args.report).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
