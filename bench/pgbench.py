"""PostgreSQL's own ceiling on the same server: pgbench select-only (-S) and tpcb-like."""

import re
import subprocess
from dataclasses import dataclass

from app.embedded_pg import find_bin_dir


@dataclass(frozen=True)
class PgbenchResult:
    tps: float
    latency_ms: float


def _pgbench() -> str:
    try:
        candidate = find_bin_dir() / "pgbench"
        if candidate.exists():
            return str(candidate)
    except RuntimeError:
        pass
    return "pgbench"


def _conninfo(url: str) -> list[str]:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    args = [
        "-h",
        parsed.host or "127.0.0.1",
        "-p",
        str(parsed.port or 5432),
        "-U",
        parsed.username or "postgres",
    ]
    return [*args, parsed.database or "postgres"]


def _env(url: str) -> dict[str, str]:
    import os

    from sqlalchemy.engine import make_url

    password = make_url(url).password
    return os.environ | ({"PGPASSWORD": str(password)} if password else {})


def initialise(url: str, scale: int) -> None:
    subprocess.run(
        [_pgbench(), "-i", "-q", "-s", str(scale), *_conninfo(url)],
        check=True,
        capture_output=True,
        env=_env(url),
    )


def measure(url: str, *, select_only: bool, clients: int, seconds: int) -> PgbenchResult:
    mode = ["-S"] if select_only else []
    done = subprocess.run(
        [
            _pgbench(),
            *mode,
            "-n",
            "-c",
            str(clients),
            "-j",
            "2",
            "-T",
            str(seconds),
            *_conninfo(url),
        ],
        check=True,
        capture_output=True,
        text=True,
        env=_env(url),
        timeout=seconds + 120,
    )
    tps = re.search(r"tps = ([\d.]+)", done.stdout)
    latency = re.search(r"latency average = ([\d.]+) ms", done.stdout)
    if tps is None or latency is None:
        raise RuntimeError(f"pgbench printed no result:\n{done.stdout}\n{done.stderr}")
    return PgbenchResult(float(tps.group(1)), float(latency.group(1)))
