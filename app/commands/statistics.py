"""``llr statistics``: the dashboard's tables in the terminal (take-up by education level and by
age band, the Matthew index and its trend), or a given one (``--incentive``, ``--period``,
``--by``); ``llr statistics refresh`` folds every queued leg into the aggregates, step by step,
each step committed. Reads are put on the statistics' log like the API's (partner ``llr-cli``)."""

import argparse
import asyncio
import sys
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from tqdm import tqdm

from app.db import create_engine, create_sessionmaker
from app.domain.errors import InvalidInput
from app.domain.grants import RulesCatalog
from app.domain.statistics import formats, service
from app.domain.statistics.dimensions import Dimension
from app.settings import Settings, get_settings

INCENTIVES = ("opleidingscheques", "vov", "loopbaancheques", "opleidingsrecht", "zorgkrediet")
DEFAULT_BY = (Dimension.EDUCATION_LEVEL.value, Dimension.AGE_BAND.value)


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", nargs="?", choices=["show", "refresh"], default="show")
    parser.add_argument("--incentive", help="default: every incentive")
    parser.add_argument("--period", help="a period key (default: today's)")
    parser.add_argument(
        "--by", help="up to two dimensions, comma separated (default: educationLevel, then ageBand)"
    )


@dataclass(frozen=True, slots=True)
class CliReader:
    partner: str = "llr-cli"
    endpoint: str = "llr statistics"
    trace_id: str | None = None


async def refresh_all(settings: Settings, url: str) -> int:
    engine = create_engine(settings, url)
    sessions = create_sessionmaker(engine)
    folded = 0
    try:
        async with sessions() as session:
            total = await service.queued(session)
        with tqdm(total=total, desc="folding legs", unit=" legs", file=sys.stderr) as bar:
            while True:
                async with sessions() as session, session.begin():
                    left = await service.refresh(session, steps=1)
                bar.update(max(0, total - folded - left))
                folded = total - left
                if not left:
                    break
    finally:
        await engine.dispose()
    return folded


async def show(settings: Settings, url: str, args: argparse.Namespace) -> str:
    catalog = RulesCatalog()
    today = datetime.now(ZoneInfo("Europe/Brussels")).date()
    incentives = [args.incentive] if args.incentive else list(INCENTIVES)
    tables = [[args.by]] if args.by else [[b] for b in DEFAULT_BY]
    engine = create_engine(settings, url)
    out = []
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            for incentive in incentives:
                if not catalog.knows(incentive):
                    raise InvalidInput("incentive", incentive, "no such incentive")
                for by in tables:
                    request = (incentive, args.period, by)
                    query, left = await service.open_read(
                        session, catalog, CliReader(), "statistics.takeUp", request, today
                    )
                    table = await service.take_up(session, catalog, query, today, left)
                    behind = f" ({left} legs not folded yet)" if left else ""
                    out.append(f"\n{incentive} {query.period.key}, by {', '.join(by)}{behind}")
                    out.append(formats.to_text(table))
                found = await service.matthew(session, catalog, query, today)
                out.append(f"\nMatthew index {incentive} (high / low+medium):")
                for point in found.trend:
                    out.append(f"  {point.period.key}: {point.index or 'c'}")
    finally:
        await engine.dispose()
    return "\n".join(out)


def main(args: argparse.Namespace) -> int:
    from app.commands.database import command_database

    settings = get_settings()
    with command_database(settings) as url:
        if args.action == "refresh":
            print(f"folded {asyncio.run(refresh_all(settings, url))} legs")
            return 0
        try:
            print(asyncio.run(show(settings, url, args)))
        except InvalidInput as exc:
            print(f"llr statistics: {exc.field}: {exc}", file=sys.stderr)
            return 2
    return 0
