"""``llr simulate`` for N citizens with stored facts (default 100,000), every shipped reform,
beside the same run's pgbench tpcb-like and ``llr grant`` rate (on a smaller population: it
writes the ledger); then one reform over several periods (``--periods``, default 3).

    .venv/bin/python bench/bench_simulation.py [--citizens 100000] [--grant-citizens 20000]
        [--reforms a,b] [--periods 3] [--multi-year-reform viona-s5-time-right]
        [--take-up-citizens 100000]

Facts are seeded by ``bench/seed.py``; the results (per reform, by education level) are written
to bench/reports/simulation.json for the README table and ``bench/simulation_chart.py``.

The multi-year run's take-up is what monitoring observes on the statistics bench's population
(``bench/bench_statistics.py``'s seed, in a database of its own: VOV granted in 2026-27 and
used by every third citizen), read by education level as the service reads it, on a day
2026-27 is closed (2027-12-01); the bench's facts carry no ledger use of their own."""

import argparse
import asyncio
import json
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.commands.ledger import grant
from app.commands.simulate import request_of, run_simulation
from app.commands.statistics import CliReader, refresh_all
from app.db import create_engine, create_sessionmaker
from app.domain.grants import RulesCatalog
from app.domain.simulation import formats, results
from app.domain.simulation.behaviour import DEFAULT_BY, Behaviour, observed
from app.domain.simulation.horizon import followed, horizon
from app.domain.simulation.multi_year import multi_year_data, publish_horizon
from app.domain.simulation.reform import named_reform, named_reforms
from app.domain.statistics.dimensions import Dimension
from app.migrate import upgrade
from app.settings import Settings
from bench import pgbench
from bench.bench_statistics import seed as seed_take_up
from bench.database import server
from bench.seed import seed

TAKE_UP_DAY = date(2027, 12, 1)
"""The day the take-up is read: the statistics bench's 2026-27 is closed by then."""


def multi_year(
    settings: Settings, url: str, take_up_url: str, args: argparse.Namespace
) -> dict[str, object]:
    """One reform over ``args.periods`` periods, with the take-up observed on the statistics
    bench's population; its figures over all citizens."""
    reform = named_reform(args.multi_year_reform)
    request = request_of(reform, reform.period, args.periods)
    codes, _ = followed(horizon(request.period, request.periods))
    behaviour = asyncio.run(read_take_up(settings, take_up_url, codes))
    tally, run, seconds = asyncio.run(
        run_simulation(settings, url, request, args.workers, behaviour)
    )
    assert tally.horizon is not None
    data = multi_year_data(run)
    published = publish_horizon(tally.horizon, data["periods"], (Dimension.EDUCATION_LEVEL,))
    print(
        f"{reform.name} over {args.periods} periods: {seconds:.1f} s, "
        f"{args.citizens / seconds:,.0f} citizens/s, {tally.evaluations:,} evaluations",
        flush=True,
    )
    return {
        "reform": reform.name,
        "periods": data["periods"],
        "seconds": round(seconds, 1),
        "citizensPerSecond": round(args.citizens / seconds),
        "evaluations": tally.evaluations,
        "behaviour": data["behaviour"],
        "rows": formats.table_data(formats.horizon_rows(published)),
    }


async def read_take_up(settings: Settings, url: str, codes: tuple[str, ...]) -> Behaviour:
    engine = create_engine(settings, url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            reader = CliReader(endpoint="bench_simulation")
            return await observed(session, RulesCatalog(), codes, DEFAULT_BY, TAKE_UP_DAY, reader)
    finally:
        await engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--grant-citizens", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=5, help="pgbench run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--report", default="bench/reports/simulation.json")
    parser.add_argument("--reforms", help="one-period runs of these only (comma separated)")
    parser.add_argument("--periods", type=int, default=3, help="the multi-year run (1: none)")
    parser.add_argument("--multi-year-reform", default="viona-s5-time-right")
    parser.add_argument("--take-up-citizens", type=int, default=100_000)
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
        wanted = args.reforms.split(",") if args.reforms else list(named_reforms())
        for name in wanted:
            reform = named_reform(name)
            tally, _, seconds = asyncio.run(
                run_simulation(settings, url, request_of(reform, reform.period), args.workers)
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
        if args.periods > 1:
            take_up_url = db.database("bench_take_up")
            upgrade(take_up_url)
            asyncio.run(seed_take_up(take_up_url, args.take_up_citizens))
            asyncio.run(refresh_all(settings, take_up_url))
            report["multiYear"] = multi_year(settings, url, take_up_url, args)
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
