"""Scale-out on one machine: postings and wallet reads through HAProxy with 1, 2 (and 4)
``llr serve`` instances, each straight on the primary and through PgBouncer (transaction mode),
past-day wallet reads on the primary or on the streaming replica; each figure beside pgbench on the
same primary, measured just before it (the machine may be shared: the ratio is what compares).

    .venv/bin/python bench/bench_scale.py [--seconds 4] [--instances 1 2 4] [--citizens 2000]

The topology is app/topology's (``llr topology start``): a primary with a synchronous replica,
PgBouncer, HAProxy; the databases stay up for the whole run, the instances and HAProxy are
started anew for each configuration. Prints a table and writes bench/reports/scale-<time>.json.
"""

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.commands.ledger import grant
from app.embedded_pg import free_port
from app.settings import Settings
from app.topology import Ports, Topology
from bench import pgbench
from bench.citizens import seed_citizens
from bench.load import Load, run_wrk

ROOT = Path(__file__).resolve().parent.parent


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--instances", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--workers", type=int, default=1, help="worker processes per instance")
    parser.add_argument("--citizens", type=int, default=2000)
    parser.add_argument(
        "--asynchronous", action="store_true", help="asynchronous replication (default: sync)"
    )
    parser.add_argument("--report", type=Path)
    return parser.parse_args()


def token(topology: Topology) -> str:
    env = topology.instance_env(topology.ports.haproxy)  # any valid port: it serves nothing
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "token", "--partner", "dwse", "--lifetime", "7200"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def ceiling(url: str, clients: int, seconds: int) -> dict[str, float]:
    return {
        name: pgbench.measure(url, select_only=select, clients=clients, seconds=seconds).tps
        for name, select in (("select-only", True), ("tpcb-like", False))
    }


def main() -> None:
    args = options()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    report_path = args.report or ROOT / "bench" / "reports" / f"scale-{stamp}.json"
    seconds = max(1, round(args.seconds))
    with tempfile.TemporaryDirectory(prefix="llr-scale-") as tmp_name:
        tmp = Path(tmp_name)
        ports = Ports(
            haproxy=free_port(),
            pgbouncer=free_port(),
            primary=free_port(),
            replica=free_port(),
            first_instance=free_port(),
        )
        topology = Topology(
            tmp / "topology",
            ports=ports,
            workers=args.workers,
            synchronous=not args.asynchronous,
            extra_env={
                "LLR_LOG_LEVEL": "WARNING",
                "LLR_RATE_LIMIT": "",
                "LLR_AUTH_MAX_TOKEN_LIFETIME_SECONDS": "7200",
                "LLR_DB_POOL_SIZE": "10",
                "LLR_DB_MAX_OVERFLOW": "0",
                "LLR_WEBHOOKS_WORKER": "false",
            },
        )
        rows: list[dict[str, object]] = []
        try:
            topology.start_databases()
            url = topology.primary.url()
            settings = Settings(database_url=url, db_statement_timeout_ms=0)
            seed_citizens(url, settings, 0, args.citizens, tmp / "citizens.txt")
            asyncio.run(grant(settings, url, None, None, 5000))
            pgbench.initialise(topology.primary.url("postgres"), 10)
            bearer = token(topology)
            yesterday = (date.today() - timedelta(days=1)).isoformat()
            configurations = [(n, bouncer) for n in args.instances for bouncer in (False, True)]
            for instances, bouncer in configurations:
                topology.instances, topology.pgbouncer = instances, bouncer
                # the instance ports follow each other: none may collide with another's
                topology.ports.first_instance = free_port()
                topology.start_front()
                try:
                    rows.append(measure(topology, bearer, yesterday, tmp, args, seconds))
                finally:
                    topology.stop_front()
        finally:
            topology.stop()
    print_table(rows)
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(
        json.dumps(
            {
                "at": stamp,
                "seconds": seconds,
                "connections": args.connections,
                "workersPerInstance": args.workers,
                "citizens": args.citizens,
                "rows": rows,
            },
            indent=2,
        )
    )
    print(f"report: {report_path}")


def measure(
    topology: Topology,
    bearer: str,
    yesterday: str,
    tmp: Path,
    args: argparse.Namespace,
    seconds: int,
) -> dict[str, object]:
    label = (
        f"{topology.instances} x {args.workers} worker"
        + (", PgBouncer" if topology.pgbouncer else ", direct")
        + ("" if topology.synchronous else ", async replica")
    )
    print(f"== {label}", flush=True)
    ceilings = ceiling(topology.primary.url("postgres"), args.connections, seconds)

    def wrk(scenario: str, *extra: str) -> Load:
        return run_wrk(
            topology.base_url,
            scenario,
            token=bearer,
            nonce=uuid.uuid4().hex[:8],
            seconds=seconds,
            connections=args.connections,
            ssin_file=tmp / "citizens.txt",
            extra=extra,
        )

    postings = wrk("transactions", "vov", "1", "HOUR")
    on_primary = wrk("wallet_past", yesterday, "-")
    on_replica = wrk("wallet_past", yesterday, "0/0")
    row: dict[str, object] = {
        "configuration": label,
        "instances": topology.instances,
        "pgbouncer": topology.pgbouncer,
        "pgbenchSelectTps": round(ceilings["select-only"]),
        "pgbenchTpcbTps": round(ceilings["tpcb-like"]),
    }
    for name, load, ceiling_name in (
        ("postings", postings, "tpcb-like"),
        ("walletPrimary", on_primary, "select-only"),
        ("walletReplica", on_replica, "select-only"),
    ):
        row[name] = {
            "perSecond": round(load.rate, 1),
            "p50Ms": round(load.p50_ms, 1),
            "p99Ms": round(load.p99_ms, 1),
            "counts": load.counts,
            "socketErrors": load.socket_errors,
            "ratioToPgbench": round(load.rate / ceilings[ceiling_name], 3),
        }
        print(f"  {name}: {load.rate:,.0f}/s (p99 {load.p99_ms:.0f} ms) {load.counts}", flush=True)
    print(
        f"  pgbench select-only {ceilings['select-only']:,.0f} tps, "
        f"tpcb-like {ceilings['tpcb-like']:,.0f} tps",
        flush=True,
    )
    return row


def print_table(rows: list[dict[str, object]]) -> None:
    print(
        "| configuration | postings/s (÷ tpcb) | past wallet, primary/s (÷ select) | "
        "past wallet, replica/s (÷ select) | pgbench tpcb / select |"
    )
    print("|---|---|---|---|---|")
    for row in rows:
        cells = []
        for name in ("postings", "walletPrimary", "walletReplica"):
            found = row[name]
            assert isinstance(found, dict)
            cells.append(f"{found['perSecond']:,.0f} ({found['ratioToPgbench']:.3f})")
        print(
            f"| {row['configuration']} | {' | '.join(cells)} | "
            f"{row['pgbenchTpcbTps']:,} / {row['pgbenchSelectTps']:,} |"
        )


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"bench_scale: {time.perf_counter() - started:.0f} s")
