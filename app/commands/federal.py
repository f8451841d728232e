"""``llr federal simulate | sync | reconcile``: the federal learning account's stand-in, the
sync of its change feed into the ledger, and the reconciliation report."""

import argparse
import asyncio
import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from tqdm import tqdm

from app.adapters.federal import Backoff, FederalClient
from app.commands.ledger import _date
from app.db import create_engine, create_sessionmaker
from app.domain.access.partners import load_registry
from app.domain.federal.model import FederalProblem, FederalUnavailable
from app.domain.federal.reconcile import Reconciliation, reconcile
from app.domain.federal.sync import NotPermitted, SyncReport, sync
from app.domain.identity import CitizenKeyer
from app.domain.vault import SsinVault
from app.settings import Settings, get_settings, parse_ssin_keys

PARTNER = "federal"
"""The registry's partner the sync posts as: its permissions decide what the sync may post."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    simulate = actions.add_parser("simulate", help="serve a stand-in of the federal API")
    simulate.add_argument("--host", default="127.0.0.1")
    simulate.add_argument("--port", type=int, default=8099)
    simulate.add_argument("--data", type=Path, help="accounts file (default: the development one)")
    simulate.add_argument("--no-data", action="store_true", help="start without the data file")
    simulate.add_argument("--generate", type=int, default=0, help="add N synthetic accounts")
    simulate.add_argument("--token-lifetime", type=int, default=300, help="seconds")
    run = actions.add_parser("sync", help="read the change feed into the ledger")
    run.add_argument(
        "--since",
        type=_date,
        help="read the feed from the changes of this day (default: from the stored cursor)",
    )
    run.add_argument("--page-size", type=int, default=500)
    run.add_argument("--report", type=Path, help="reconciliation report (default: .llr/reports/)")
    check = actions.add_parser("reconcile", help="write the reconciliation report only")
    check.add_argument("--report", type=Path)


def simulate(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from app.adapters.federal_standin import DEFAULT_DATA, seeded
    from app.observability import configure_logging

    configure_logging(settings.log_level)
    data = None if args.no_data else (args.data or DEFAULT_DATA)
    standin = seeded(
        data,
        args.generate,
        client=(settings.federal_client_id, settings.federal_client_secret.get_secret_value()),
        token_lifetime=args.token_lifetime,
    )
    print(
        f"federal stand-in on http://{args.host}:{args.port} with {len(standin.accounts)} "
        f"accounts ({len(standin.feed)} changes)",
        file=sys.stderr,
    )
    uvicorn.run(standin.app(), host=args.host, port=args.port, access_log=False, log_config=None)
    return 0


def client(settings: Settings) -> FederalClient:
    return FederalClient(
        settings.federal_url,
        settings.federal_client_id,
        settings.federal_client_secret.get_secret_value(),
        token_url=settings.federal_token_url,
        timeout=settings.federal_timeout_seconds,
        backoff=Backoff(attempts=settings.federal_attempts),
    )


def write_report(found: Reconciliation, path: Path | None) -> Path:
    if path is None:
        stamp = found.generated_at.strftime("%Y%m%dT%H%M%SZ")
        path = Path(".llr/reports") / f"federal-reconciliation-{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(found.as_json(), indent=2, ensure_ascii=False) + "\n", "utf-8")
    return path


async def run_sync(
    settings: Settings, url: str, since: date | None, page_size: int, report_path: Path | None
) -> tuple[SyncReport, Reconciliation, Path]:
    engine = create_engine(settings, url)
    sessions = create_sessionmaker(engine)
    keys, current = parse_ssin_keys(settings.ssin_keys.get_secret_value())
    keyer = CitizenKeyer(settings.citizen_key_secret.get_secret_value().encode())
    policy = load_registry(settings.partners_file)[PARTNER]
    try:
        async with client(settings) as feed:
            with tqdm(desc="federal changes", unit=" changes", file=sys.stderr) as bar:

                def progress(report: SyncReport) -> None:
                    bar.update(report.changes - bar.n)
                    bar.set_postfix(grants=report.grants, redeems=report.redeems, refresh=False)

                report = await sync(
                    sessions,
                    feed,
                    keyer,
                    SsinVault(keys, current),
                    policy,
                    since=since,
                    page_size=page_size,
                    now=lambda: datetime.now(UTC),
                    progress=progress,
                )
        async with sessions() as session:
            found = await reconcile(session, datetime.now(UTC))
    finally:
        await engine.dispose()
    return report, found, write_report(found, report_path)


async def run_reconcile(settings: Settings, url: str) -> Reconciliation:
    engine = create_engine(settings, url)
    try:
        async with create_sessionmaker(engine)() as session:
            return await reconcile(session, datetime.now(UTC))
    finally:
        await engine.dispose()


def main(args: argparse.Namespace) -> int:
    from app.commands.database import command_database

    settings = get_settings()
    if args.action == "simulate":
        return simulate(args, settings)
    if args.action == "sync" and not 1 <= args.page_size <= 1000:
        print("llr federal sync: --page-size must lie in 1..1000", file=sys.stderr)
        return 2
    if args.action == "sync" and settings.federal_problems():
        print(f"llr federal sync: {'; '.join(settings.federal_problems())}", file=sys.stderr)
        return 2
    with command_database(settings) as url:
        if args.action == "reconcile":
            found = asyncio.run(run_reconcile(settings, url))
            path = write_report(found, args.report)
            print(f"{found.compared} federal rights compared, {len(found.items)} differ: {path}")
            return 0
        try:
            report, found, path = asyncio.run(
                run_sync(settings, url, args.since, args.page_size, args.report)
            )
        except (FederalUnavailable, FederalProblem, NotPermitted) as exc:
            print(f"llr federal sync: {exc} (what was committed stays; run again)", file=sys.stderr)
            return 1
    print(
        f"{report.changes} changes in {report.pages} pages: {report.applied} accounts applied "
        f"({report.already_applied} already), {report.grants} grants and {report.redeems} "
        f"uses posted for {report.citizens_posted} citizens, {report.not_posted} left to "
        f"reconcile, {len(report.rejected)} rejected"
    )
    for rejected in report.rejected[:20]:
        print(f"  rejected {rejected}", file=sys.stderr)
    print(f"reconciliation: {found.compared} compared, {len(found.items)} differ: {path}")
    return 0
