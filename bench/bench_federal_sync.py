"""``llr federal sync`` of N citizens' changes (default 100,000) from the federal stand-in over
real HTTP (``llr federal simulate --generate N`` as its own process), into a fresh database,
beside PostgreSQL's own tpcb-like ceiling measured on the same server in the same run.

    .venv/bin/python bench/bench_federal_sync.py [--citizens 100000] [--page-size 1000]
        [--pgbench-seconds 10]

Prints the rate of the first sync (changes posted per second, reconciliation report included
and timed apart), of a rerun of the whole feed (``--since``: nothing posted), and pgbench
tpcb-like, and writes ``bench/reports/federal-sync-<time>.json``. Without DATABASE_URL it starts
a throw-away embedded PostgreSQL with durable settings (fsync and synchronous commit on)."""

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.commands.federal import run_reconcile, run_sync
from app.migrate import upgrade
from app.settings import Settings
from bench import pgbench
from bench.database import server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _standin(citizens: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "app.cli",
        "federal",
        "simulate",
        "--no-data",
        "--generate",
        str(citizens),
        "--port",
        str(port),
        "--token-lifetime",
        "3600",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the federal stand-in did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    args = parser.parse_args()
    started_at = datetime.now(UTC)
    with server() as db:
        ceiling_url = db.database("bench_pgbench")
        pgbench.initialise(ceiling_url, 10)
        tpcb = pgbench.measure(
            ceiling_url, select_only=False, clients=16, seconds=args.pgbench_seconds
        )
        print(f"pgbench tpcb-like: {tpcb.tps:,.0f} tps", flush=True)
        url = db.database("bench_federal")
        upgrade(url)
        standin, federal_url = _standin(args.citizens)
        try:
            settings = Settings(
                database_url=url, federal_url=federal_url, db_statement_timeout_ms=0
            )
            reports = Path("bench/reports")
            began = time.perf_counter()
            report, found, _ = asyncio.run(
                run_sync(settings, url, None, args.page_size, reports / "federal-sync-recon.json")
            )
            first = time.perf_counter() - began
            began = time.perf_counter()
            asyncio.run(run_reconcile(settings, url))
            reconciling = time.perf_counter() - began
            began = time.perf_counter()
            again, _, _ = asyncio.run(
                run_sync(settings, url, date(2000, 1, 1), args.page_size, None)
            )
            rerun = time.perf_counter() - began
        finally:
            standin.terminate()
            standin.wait(10)
    syncing = first - reconciling
    result = {
        "at": started_at.isoformat(),
        "citizens": args.citizens,
        "pageSize": args.page_size,
        "changes": report.changes,
        "grants": report.grants,
        "redeems": report.redeems,
        "syncSeconds": round(syncing, 1),
        "changesPerSecond": round(report.changes / syncing),
        "reconcileSeconds": round(reconciling, 1),
        "discrepancies": len(found.items),
        "rerunSeconds": round(rerun, 1),
        "rerunPosted": again.grants + again.redeems,
        "rerunChangesPerSecond": round(again.changes / rerun),
        "pgbenchTpcbLike": round(tpcb.tps),
        "cpus": os.cpu_count(),
    }
    print(
        "\n| changes | sync s | changes/s | postings | reconcile s | rerun s (posted) "
        "| rerun changes/s | pgbench tpcb-like tps | changes/s per tps |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {report.changes:,} | {syncing:.1f} | {report.changes / syncing:,.0f} "
        f"| {report.grants + report.redeems:,} | {reconciling:.1f} "
        f"| {rerun:.1f} ({again.grants + again.redeems}) | {again.changes / rerun:,.0f} "
        f"| {tpcb.tps:,.0f} | {report.changes / syncing / tpcb.tps:.2f} |"
    )
    path = Path("bench/reports") / f"federal-sync-{started_at:%Y%m%dT%H%M%SZ}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {path}")
    return 0 if again.grants + again.redeems == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
