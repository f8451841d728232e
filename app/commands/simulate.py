"""``llr simulate REFORM.toml [--period P] [--by D] [--json|--csv]``: a reform run on every
citizen with stored facts, in the terminal with a progress bar, by the same code as ``POST
/simulations`` (``app.domain.simulation.run.simulate``); it never writes to the ledger. REFORM
may also be the name of a shipped reform (``app/domain/simulation/reforms/``)."""

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from sqlalchemy import func, select
from tqdm import tqdm

from app.db import create_engine, create_sessionmaker
from app.domain.errors import InvalidInput
from app.domain.periods import parse_key
from app.domain.simulation import formats, results
from app.domain.simulation.reform import NamedReform, load_reform_file, named_reform
from app.domain.simulation.run import Run, simulate
from app.domain.simulation.service import parse_by
from app.domain.simulation.tally import Tally
from app.settings import Settings, get_settings


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("reform", help="a reform TOML file, or the name of a shipped reform")
    parser.add_argument("--period", help="the period simulated (default: the reform's)")
    parser.add_argument("--by", default="educationLevel", help="up to two dimensions")
    parser.add_argument("--workers", type=int, default=2, help="rules processes (default 2)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="the result as JSON")
    output.add_argument("--csv", action="store_true", help="the result as CSV")


def _reform(name: str) -> NamedReform:
    path = Path(name)
    return load_reform_file(path) if path.suffix == ".toml" else named_reform(name, "REFORM")


async def run_simulation(
    settings: Settings, url: str, reform: NamedReform, period_key: str, workers: int
) -> tuple[Tally, float]:
    period = parse_key(period_key)
    engine = create_engine(settings, url)
    sessions = create_sessionmaker(engine)
    try:
        async with sessions() as session:
            snapshot = await session.scalar(select(func.clock_timestamp()))
        assert snapshot is not None
        with tqdm(desc=f"simulating {reform.name}", unit=" citizens", file=sys.stderr) as bar:

            async def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            started = time.perf_counter()
            tally = await simulate(
                sessions, Run(reform.reform, period.start, snapshot), progress, workers
            )
            return tally, time.perf_counter() - started
    finally:
        await engine.dispose()


def main(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.database_url:
        print("llr simulate: set DATABASE_URL", file=sys.stderr)
        return 2
    try:
        reform = _reform(args.reform)
        by = parse_by([args.by])
        period = args.period or reform.period
        parse_key(period)
    except InvalidInput as exc:
        print(f"llr simulate: {exc.field}: {exc.detail}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"llr simulate: --period: {exc}", file=sys.stderr)
        return 2
    tally, seconds = asyncio.run(
        run_simulation(settings, settings.database_url, reform, period, args.workers)
    )
    published = results.publish(tally, by)
    if args.csv:
        sys.stdout.write(formats.to_csv(published))
    elif args.json:
        data = {"reform": reform.name, "period": period, "rows": formats.to_data(published)}
        print(json.dumps(data, indent=2))
    else:
        found = list(formats.rows(published))
        widths = [max(len(r[i]) for r in found) for i in range(len(found[0]))]
        for row in found:
            print("  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)))
    citizens = published.total.citizens or 0
    print(f"{citizens:,} citizens in {seconds:.1f} s", file=sys.stderr)
    return 0
