"""Micro-benchmark of the rules engine and of POST /eligibility.

    .venv/bin/python bench/bench_eligibility.py [--seconds 3] [--concurrency 8] [--port 8123]

1. evaluations per second of a full evaluation (all incentives, one person, with a training),
   in process, no database;
2. the HTTP request rate of POST /eligibility against `./dev serve --port PORT` started here in
   the background (embedded PostgreSQL in a throw-away data folder), then stopped.
"""

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.domain.rules import Facts, TrainingInfo, evaluate  # noqa: E402
from app.schemas.examples import EXAMPLE_FACTS  # noqa: E402

FACTS = EXAMPLE_FACTS
TRAINING = {
    "kind": "course",
    "contactHours": "40",
    "vovEligible": True,
    "voucherEligible": True,
    "vokFlagged": True,
}


def bench_engine(seconds: float) -> float:
    facts, training = Facts.model_validate(FACTS), TrainingInfo.model_validate(TRAINING)
    day = date(2026, 11, 23)
    evaluate(facts, day, training=training)  # warm the parameter and message caches
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(100):
            evaluate(facts, day, training=training)
        count += 100
    return count / elapsed


def start_server(port: int, data_dir: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LLR_DATABASE_URL")}
    env["LLR_LOG_LEVEL"] = "WARNING"
    return subprocess.Popen(
        [str(ROOT / "dev"), "serve", "--port", str(port), "--data-dir", data_dir],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def wait_ready(base: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the service did not answer on {base} within {timeout} s")


def development_token(partner: str = "vdab") -> str:
    """A token of the development issuer the server started by ``./dev serve`` trusts."""
    minted = subprocess.run(
        [str(ROOT / "dev"), "llr", "token", "--partner", partner],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return minted.stdout.strip()


async def bench_http(base: str, seconds: float, concurrency: int) -> tuple[float, int]:
    body = {"asOf": "2026-11-23", "facts": FACTS, "training": TRAINING}
    done, failures = 0, 0
    headers = {"Authorization": f"Bearer {development_token()}"}
    async with httpx.AsyncClient(base_url=base, timeout=10, headers=headers) as client:
        await client.post("/eligibility", json=body)
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done, failures
            while time.perf_counter() < deadline:
                response = await client.post("/eligibility", json=body)
                done += 1
                failures += response.status_code != 200

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return done / (time.perf_counter() - start), failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--port", type=int, default=8123)
    args = parser.parse_args()

    rate = bench_engine(args.seconds)
    print(f"engine: {rate:,.0f} full evaluations/s (6 incentives + training, one person, 1 core)")

    base = f"http://127.0.0.1:{args.port}"
    with tempfile.TemporaryDirectory(prefix="llr-bench-") as data_dir:
        server = start_server(args.port, data_dir)
        try:
            wait_ready(base)
            http_rate, failures = asyncio.run(bench_http(base, args.seconds, args.concurrency))
        finally:
            os.killpg(server.pid, signal.SIGTERM)  # our own child's process group only
            server.wait(timeout=30)
    clients = f"{args.concurrency} concurrent clients, 1 uvicorn worker, {failures} failures"
    print(f"http:   {http_rate:,.0f} POST /eligibility requests/s ({clients})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
