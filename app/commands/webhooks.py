"""``llr webhooks deliver [--once]`` and ``llr webhooks expiring [--days N] [--as-of D]``."""

import argparse
import asyncio
import signal
import sys
from datetime import date

from app.commands.ledger import _date, _today
from app.db import create_engine, create_sessionmaker
from app.domain.vault import SsinVault
from app.domain.webhooks.delivery import Schedule, deliver_due, run_worker
from app.domain.webhooks.expiring import expiring_events
from app.settings import Settings, get_settings, parse_ssin_keys


def arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    deliver = actions.add_parser("deliver", help="send the outbox's due deliveries")
    deliver.add_argument("--once", action="store_true", help="one round, then stop")
    expiring = actions.add_parser("expiring", help="write today's right.expiring events")
    expiring.add_argument("--days", type=int, help="days ahead (LLR_EXPIRING_DAYS, default 30)")
    expiring.add_argument("--as-of", type=_date, help="the day (default: today)")


def schedule_of(settings: Settings) -> Schedule:
    return Schedule(
        settings.webhook_retry_seconds,
        settings.webhook_timeout_seconds,
        settings.webhook_lease_seconds,
    )


def vault_of(settings: Settings) -> SsinVault:
    return SsinVault(*parse_ssin_keys(settings.ssin_keys.get_secret_value()))


async def deliver(settings: Settings, url: str, once: bool) -> int:
    engine = create_engine(settings, url)
    sessions, vault = create_sessionmaker(engine), vault_of(settings)
    try:
        if once:
            import httpx

            async with httpx.AsyncClient() as client:
                return await deliver_due(sessions, vault, client, schedule_of(settings))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(
            sessions, vault, schedule_of(settings), settings.webhook_poll_seconds, stop
        )
        return 0
    finally:
        await engine.dispose()


async def expiring(settings: Settings, url: str, today: date, days: int) -> int:
    engine = create_engine(settings, url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            return await expiring_events(session, today, days)
    finally:
        await engine.dispose()


def main(args: argparse.Namespace) -> int:
    from app.commands.database import command_database

    settings = get_settings()
    with command_database(settings) as url:
        if args.action == "deliver":
            sent = asyncio.run(deliver(settings, url, args.once))
            print(f"sent {sent} deliveries" if args.once else "stopped")
        else:
            days = args.days or settings.expiring_days
            if days < 1:
                print("llr webhooks expiring: --days must be at least 1", file=sys.stderr)
                return 2
            written = asyncio.run(expiring(settings, url, args.as_of or _today(), days))
            print(f"wrote {written} right.expiring events")
    return 0
