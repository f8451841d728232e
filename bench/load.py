"""Drives the service with wrk (Debian's package) and a Lua scenario from bench/lua/."""

import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"


@dataclass(frozen=True)
class Load:
    """What wrk measured: all requests, their latency, and the responses by kind."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    counts: dict[str, int]
    socket_errors: int
    cpu: dict[str, float] = field(default_factory=dict)
    """CPU per request of the service, PostgreSQL and wrk (bench/cpu.py), when measured."""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def ok(self, *names: str) -> int:
        return sum(self.counts.get(name, 0) for name in names)

    def failures(self, *ok_names: str) -> int:
        return self.requests - self.ok(*ok_names) + self.socket_errors


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("bench: wrk is missing; installing Debian's package (apt-get install wrk)", flush=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL
    )
    found = shutil.which("wrk")
    if not found:
        sys.exit("bench: wrk is needed: apt-get install wrk")
    return found


def run_wrk(
    base: str,
    scenario: str,
    *,
    token: str,
    nonce: str,
    seconds: float,
    connections: int,
    threads: int = 2,
    ssin_file: Path | None = None,
    extra: tuple[str, ...] = (),
) -> Load:
    threads = min(threads, connections)  # wrk wants a connection per thread at least
    script = (LUA / "common.lua").read_text() + (LUA / f"{scenario}.lua").read_text()
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix=f"bench-{scenario}-") as file:
        file.write(script)
        file.flush()
        args = [
            ensure_wrk(),
            "-t",
            str(threads),
            "-c",
            str(connections),
            "-d",
            f"{round(seconds)}s",
            "--timeout",
            "10s",
            "-s",
            file.name,
            base,
            "--",
            token,
            nonce,
            str(ssin_file) if ssin_file else "-",
            str(threads),
            *extra,
        ]
        done = subprocess.run(
            args, capture_output=True, text=True, check=True, timeout=seconds + 60
        )
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary:\n{done.stdout}\n{done.stderr}")
    found = json.loads(line.removeprefix("BENCH_JSON "))
    return Load(
        requests=found["requests"],
        seconds=found["durationUs"] / 1e6,
        p50_ms=found["p50Us"] / 1000,
        p99_ms=found["p99Us"] / 1000,
        counts=found["counts"],
        socket_errors=found["socketErrors"],
    )
