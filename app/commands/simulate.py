"""``llr simulate REFORM.toml [--period P] [--periods N] [--by D] [--json|--csv]``: a reform run
on every citizen with stored facts, in the terminal with a progress bar, by the same code as
``POST /simulations`` (``service.prepare``, ``run.simulate``); it never writes to the ledger.
REFORM may also be the name of a shipped reform (``app/domain/simulation/reforms/``).
``--periods N`` > 1: a multi-year run (take-up as monitoring observed it by ``--take-up-by``)."""

import argparse
import asyncio
import json
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from app.commands.statistics import CliReader
from app.db import create_engine, create_sessionmaker
from app.domain.errors import InvalidInput
from app.domain.periods import BRUSSELS, parse_key
from app.domain.simulation import formats, results
from app.domain.simulation.behaviour import Behaviour
from app.domain.simulation.horizon import horizon
from app.domain.simulation.multi_year import multi_year_data, publish_horizon
from app.domain.simulation.reform import NamedReform, load_reform_file, named_reform
from app.domain.simulation.run import Run, simulate
from app.domain.simulation.service import Request, parse_by, parse_take_up_by, prepare
from app.domain.simulation.tally import Tally
from app.settings import Settings, get_settings


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("reform", help="a reform TOML file, or the name of a shipped reform")
    parser.add_argument("--period", help="the period simulated (default: the reform's)")
    parser.add_argument("--periods", type=int, default=1, help="periods one after another")
    parser.add_argument(
        "--take-up-by", help="a multi-year run's take-up groups (default educationLevel)"
    )
    parser.add_argument("--by", default="educationLevel", help="up to two dimensions")
    parser.add_argument("--workers", type=int, default=2, help="rules processes (default 2)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="the result as JSON")
    output.add_argument("--csv", action="store_true", help="the result as CSV")


def _reform(name: str) -> NamedReform:
    path = Path(name)
    return load_reform_file(path) if path.suffix == ".toml" else named_reform(name, "REFORM")


async def run_simulation(
    settings: Settings,
    url: str,
    request: Request,
    workers: int,
    behaviour: Behaviour | None = None,
) -> tuple[Tally, Run, float]:
    engine = create_engine(settings, url)
    sessions = create_sessionmaker(engine)
    try:
        today = datetime.now(BRUSSELS).date()
        reader = CliReader(endpoint="llr simulate")
        run = await prepare(sessions, request, today, reader, behaviour)
        with tqdm(desc=f"simulating {request.name}", unit=" citizens", file=sys.stderr) as bar:

            async def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            started = time.perf_counter()
            tally = await simulate(sessions, run, progress, workers)
            return tally, run, time.perf_counter() - started
    finally:
        await engine.dispose()


def request_of(
    reform: NamedReform, period_key: str, periods: int = 1, take_up_by: str | None = None
) -> Request:
    """The request the terminal makes, or ``InvalidInput`` naming the option."""
    try:
        period = parse_key(period_key)
    except ValueError as exc:
        raise InvalidInput("--period", period_key, str(exc)) from None
    try:
        horizon(period, periods)
    except InvalidInput as exc:
        raise InvalidInput("--periods", periods, exc.detail) from None
    by = parse_take_up_by(take_up_by, "--take-up-by")
    return Request(reform.name, period, reform.reform, reform.name, periods, by)


def _print(found: list[list[str]]) -> None:
    widths = [max(len(r[i]) for r in found) for i in range(len(found[0]))]
    for row in found:
        print("  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True)))


def main(args: argparse.Namespace) -> int:
    settings = get_settings()
    if not settings.database_url:
        print("llr simulate: set DATABASE_URL", file=sys.stderr)
        return 2
    try:
        reform = _reform(args.reform)
        by = parse_by([args.by])
        request = request_of(reform, args.period or reform.period, args.periods, args.take_up_by)
    except InvalidInput as exc:
        print(f"llr simulate: {exc.field}: {exc.detail}", file=sys.stderr)
        return 2
    tally, run, seconds = asyncio.run(
        run_simulation(settings, settings.database_url, request, args.workers)
    )
    published = results.publish(tally, by)
    horizon_rows = None
    if tally.horizon is not None:
        data = multi_year_data(run)
        horizon_rows = list(
            formats.horizon_rows(publish_horizon(tally.horizon, data["periods"], by))
        )
    if args.csv:
        sys.stdout.write(formats.table_csv(iter(horizon_rows or formats.rows(published))))
    elif args.json:
        out: dict[str, Any] = {
            "reform": reform.name,
            "period": request.period.key,
            "rows": formats.to_data(published),
        }
        if horizon_rows is not None:
            out["multiYear"] = {**data, "rows": formats.table_data(iter(horizon_rows))}
        print(json.dumps(out, indent=2))
    else:
        _print(list(formats.rows(published)))
        if horizon_rows is not None:
            print(f"\nover {len(data['periods'])} periods ({', '.join(data['periods'])}):")
            _print(horizon_rows)
            for line in data["assumptions"]:
                print(f"  - {line}")
    citizens = published.total.citizens or 0
    print(f"{citizens:,} citizens in {seconds:.1f} s", file=sys.stderr)
    return 0
