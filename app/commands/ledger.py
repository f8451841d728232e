"""The ledger's batch commands: ``llr grant --period P``, ``llr rollover --as-of DATE`` and
``llr holds expire``. Each shows its progress, commits batch by batch (an interrupted run
keeps what it finished and the next run goes on from there) and can be run again safely."""

import argparse
import asyncio
import multiprocessing
import sys
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from tqdm import tqdm

from app.db import create_engine, create_sessionmaker
from app.domain.access.partners import load_registry
from app.domain.bulk_grants import (
    Evaluated,
    GrantReport,
    Receipts,
    citizens_with_facts,
    count_citizens,
    evaluate_in_worker,
)
from app.domain.bulk_grants import grant_batch as settle_batch
from app.domain.grants import RulesCatalog
from app.domain.ledger.maintenance import close_period_batch, ended_periods, sweep_expired_holds
from app.domain.ledger.ports import Actor
from app.domain.ledger.service import Ledger
from app.domain.periods import parse_key
from app.domain.settlement import RulesEntitlements
from app.domain.vault import SsinVault
from app.settings import Settings, get_settings, parse_ssin_keys

ACTOR = Actor("llr-batch")
ANALYSE = "ANALYZE ledger_accounts, ledger_transactions, ledger_legs, decisions"


def _today() -> date:
    return datetime.now(ZoneInfo("Europe/Brussels")).date()


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def grant_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--period",
        help="only this period, e.g. 2026-27 (default: every "
        "incentive's period in force on --as-of)",
    )
    parser.add_argument(
        "--as-of",
        type=_date,
        help="decide with the rules of this day (default: today if it falls in "
        "the period, else the period's first day)",
    )
    parser.add_argument("--batch-size", type=int, default=5000)


def rollover_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        type=_date,
        default=None,
        help="close the periods that ended before this day (default: today)",
    )
    parser.add_argument("--batch-size", type=int, default=5000)


def holds_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    actions.add_parser("expire", help="post the expiry of every hold past its expiresAt")


async def grant(
    settings: Settings,
    url: str,
    period_key: str | None,
    as_of: date | None,
    batch_size: int,
    workers: int = 2,
) -> GrantReport:
    """The rules run in ``workers`` processes, a batch or two ahead of the database writes."""
    day = as_of or _today()
    if period_key is not None:
        try:
            period = parse_key(period_key)
        except ValueError as exc:
            raise ValueError(f"--period: {exc}") from exc
        day = as_of or (_today() if period.contains(_today()) else period.start)
        if not period.contains(day):
            raise ValueError(f"--as-of {day} is not in period {period_key}")
    engine = create_engine(settings, url)
    sessions = create_sessionmaker(engine)
    receipts, report, evaluations = Receipts(day), GrantReport(), dict[int, int]()
    loop = asyncio.get_running_loop()
    ahead: deque[tuple[list[tuple[str, int, int, str]], asyncio.Future[Evaluated]]] = deque()

    async def settle(rows: list[tuple[str, int, int, str]], evaluated: Evaluated) -> None:
        receipts.learn(evaluated)
        evaluations[evaluated.worker] = evaluated.evaluations
        async with sessions() as session, session.begin():
            report.add(
                await settle_batch(
                    session, receipts, rows, evaluated.decided, ACTOR, datetime.now(UTC)
                )
            )
        if report.citizens in analyse_at or report.citizens % 200_000 < len(rows):
            # the ledger grows fast: fresh statistics keep the planner on index lookups
            async with sessions() as session, session.begin():
                await session.execute(text(ANALYSE))

    analyse_at = {batch_size * 2, batch_size * 10}

    context = multiprocessing.get_context("spawn")
    try:
        async with sessions() as session:
            total = await count_citizens(session)
        with (
            ProcessPoolExecutor(workers, mp_context=context) as pool,
            tqdm(
                total=total, desc=f"granting {period_key or day}", unit=" citizens", file=sys.stderr
            ) as bar,
        ):
            async for rows in citizens_with_facts(sessions, batch_size):
                facts = [row[3] for row in rows]
                ahead.append(
                    (rows, loop.run_in_executor(pool, evaluate_in_worker, period_key, day, facts))
                )
                if len(ahead) > workers:
                    done, evaluated = ahead.popleft()
                    await settle(done, await evaluated)
                    bar.update(len(done))
            while ahead:
                done, evaluated = ahead.popleft()
                await settle(done, await evaluated)
                bar.update(len(done))
    finally:
        await engine.dispose()
    report.evaluations = sum(evaluations.values())
    return report


async def rollover(settings: Settings, url: str, as_of: date, batch_size: int) -> int:
    engine = create_engine(settings, url)
    sessions = create_sessionmaker(engine)
    catalog, closed = RulesCatalog(load_registry(settings.partners_file).sector_incentives), 0
    try:
        async with sessions() as session:
            ended = await ended_periods(session, catalog, as_of)
        for period in ended:
            with tqdm(
                total=period.accounts,
                desc=f"closing {period.incentive} {period.period.key}",
                unit=" accounts",
                file=sys.stderr,
            ) as bar:
                while True:
                    async with sessions() as session, session.begin():
                        done = await close_period_batch(
                            session, catalog, period, ACTOR, datetime.now(UTC), batch_size
                        )
                    if not done:
                        break
                    closed += done
                    bar.update(done)
    finally:
        await engine.dispose()
    return closed


async def expire_holds(settings: Settings, url: str) -> int:
    engine = create_engine(settings, url)
    sessions = create_sessionmaker(engine)
    keys, current = parse_ssin_keys(settings.ssin_keys.get_secret_value())
    vault = SsinVault(keys, current)

    def ledger_for(session: AsyncSession) -> Ledger:
        return Ledger(
            session,
            RulesCatalog(load_registry(settings.partners_file).sector_incentives),
            RulesEntitlements(),
            vault,
            datetime.now(UTC),
        )

    expired = 0
    try:
        with tqdm(desc="expiring holds", unit=" holds", file=sys.stderr) as bar:
            async for count in sweep_expired_holds(sessions, ledger_for, ACTOR):
                expired += count
                bar.update(count)
    finally:
        await engine.dispose()
    return expired


def main(command: str, args: argparse.Namespace) -> int:
    from app.commands.database import command_database

    settings = get_settings()
    with command_database(settings) as url:
        if command == "grant":
            try:
                report = asyncio.run(grant(settings, url, args.period, args.as_of, args.batch_size))
            except ValueError as exc:
                print(f"llr grant: {exc}", file=sys.stderr)
                return 2
            print(
                f"{report.citizens} citizens: {report.granted} rights granted, "
                f"{report.adjusted} adjusted up, {report.withdrawn} withdrawn, "
                f"{report.unchanged} unchanged, {report.evaluations} evaluations"
            )
        elif command == "rollover":
            closed = asyncio.run(rollover(settings, url, args.as_of or _today(), args.batch_size))
            print(f"closed {closed} accounts")
        else:
            print(f"expired {asyncio.run(expire_holds(settings, url))} holds")
    return 0
