"""The outbox's cost and the delivery rate, beside pgbench in the same run.

    .venv/bin/python bench/bench_webhooks.py [--seconds 8] [--citizens 5000] [--connections 16]

1. POST /transactions reserve+capture on distinct citizens, no subscription (the outbox trigger
   returns at once);
2. the same with one active subscription to every event (each posting writes its events and
   their deliveries in its own transaction): the cost of the outbox, target < 10%;
3. deliveries per second: the accumulated outbox sent to a loopback receiver by the delivery
   worker (`deliver_due` rounds of 50, two workers at once, as two `llr serve` workers would).
The service runs with `LLR_WEBHOOKS_WORKER=false`, so delivery does not share the posting runs.
"""

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.commands.ledger import grant
from app.commands.webhooks import schedule_of, vault_of
from app.db import create_engine, create_sessionmaker
from app.domain.webhooks.delivery import deliver_due
from app.embedded_pg import free_port
from app.migrate import upgrade
from app.settings import Settings
from bench import pgbench
from bench.citizens import seed_citizens
from bench.database import analysing, server
from bench.load import ensure_wrk, run_wrk
from bench.run import analyze
from bench.service import Service
from tests.webhook_receiver import receiving


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--citizens", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=16)
    return parser.parse_args()


async def deliver_all(url: str, settings: Settings) -> tuple[int, float]:
    engine = create_engine(settings, url)
    sessions, vault, schedule = (
        create_sessionmaker(engine),
        vault_of(settings),
        schedule_of(settings),
    )
    sent = 0

    async def worker() -> int:
        done = 0
        async with httpx.AsyncClient() as client:
            while n := await deliver_due(sessions, vault, client, schedule, limit=50):
                done += n
        return done

    started = time.perf_counter()
    try:
        sent = sum(await asyncio.gather(worker(), worker()))
    finally:
        await engine.dispose()
    return sent, time.perf_counter() - started


def main() -> int:
    args = options()
    ensure_wrk()
    settings = Settings()
    with (
        tempfile.TemporaryDirectory(prefix="llr-bench-") as folder,
        server() as db,
        receiving() as receiver,
    ):
        tmp = Path(folder)
        pg_url = db.database("bench_pgbench")
        pgbench.initialise(pg_url, 10)
        tpcb = pgbench.measure(
            pg_url, select_only=False, clients=args.connections, seconds=int(args.seconds)
        )
        url = db.database("bench_webhooks")
        upgrade(url)
        seed_citizens(url, settings, 0, args.citizens, tmp / "wallet.txt")
        with analysing(url):
            asyncio.run(
                grant(Settings(database_url=url, db_statement_timeout_ms=0), url, None, None, 5000)
            )
        analyze(url)  # as autovacuum would in time: plans for the loaded tables
        rates = {}
        svc = Service(url, free_port(), 2, tmp / "keys", 10)
        svc.env["LLR_WEBHOOKS_WORKER"] = "false"
        with svc:
            token = svc.token()
            for label in ("without subscription", "with one subscription"):
                if label.startswith("with one"):
                    made = httpx.post(
                        svc.base + "/subscriptions",
                        json={
                            "url": receiver.url,
                            "events": [
                                "right.granted",
                                "hold.created",
                                "hold.captured",
                                "hold.released",
                                "hold.expired",
                                "transaction.reversed",
                            ],
                        },
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    made.raise_for_status()
                found = run_wrk(
                    svc.base,
                    "transactions",
                    token=token,
                    nonce=uuid.uuid4().hex[:8],
                    seconds=args.seconds,
                    connections=args.connections,
                    ssin_file=tmp / "wallet.txt",
                    extra=("vov", "1.00", "HOUR"),
                )
                rates[label] = found
        sent, seconds = asyncio.run(deliver_all(url, settings))
    without, with_ = rates["without subscription"], rates["with one subscription"]
    cost = 1 - with_.rate / without.rate
    print(f"\n| scenario | per second | p99 ms | vs pgbench tpcb-like ({tpcb.tps:,.0f} tps) |")
    print("|---|---:|---:|---:|")
    for label, found in rates.items():
        ratio = found.rate / tpcb.tps
        print(
            f"| reserve+capture, {label} | {found.rate:,.0f} | {found.p99_ms:.1f} | {ratio:.1%} |"
        )
    rate = sent / seconds
    print(f"| deliveries (2 workers, loopback receiver) | {rate:,.0f} | | {rate / tpcb.tps:.1%} |")
    print(
        f"\noutbox cost: {cost:.1%} of the posting rate (target < 10%); "
        f"{sent:,} deliveries in {seconds:.1f} s; receiver got {len(receiver.received):,}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
