"""The service as it runs in production: a real ``llr serve`` process (uvicorn, one or more
worker processes) on a free loopback port, against a PostgreSQL the test owns and may stop, kill
and start again."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from app.embedded_pg import EmbeddedPostgres, ensure_database, free_port
from app.topology import REPLICA_NAME, create_database, wait_replica_streaming
from app.topology.postgres import PgNode
from tests.auth_support import AUDIENCE, ISSUER, TestIssuer

TEST_SECRET = "test-citizen-key-secret-0123456789abcdef"
REQUEST_TIMEOUT = 5.0
"""LLR_REQUEST_TIMEOUT_SECONDS of the served app: no answer may take longer (plus a margin)."""
DB_CONNECT_TIMEOUT = 2.0


def start_postgres(data_dir: Path, *, crash_safe: bool = False) -> EmbeddedPostgres:
    """A PostgreSQL of the test's own with an empty ``llr`` database (``llr serve`` migrates it).
    ``crash_safe``: a commit's log is written out before it is acknowledged (synchronous
    commit), so killing PostgreSQL itself loses nothing answered; without it (the fast setting
    of the test database) a crash may lose the last commits. Neither survives losing the
    machine: fsync stays off."""
    server = EmbeddedPostgres(
        data_dir, durable=False, extra_settings={"synchronous_commit": "on"} if crash_safe else None
    )
    server.start()
    ensure_database(server.url(), "llr")
    return server


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Polls ``check`` until it holds; fails after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout}s")


@dataclass
class LiveServer:
    """``llr serve`` in a process group of its own, so SIGKILL reaches every worker."""

    database_url: str
    issuer: TestIssuer
    work_dir: Path
    workers: int = 1
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    """Settings of this server beyond the tests' own (e.g. LLR_DB_PGBOUNCER)."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.work_dir / f"llr-{self.port}.log"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LLR_")}
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "LLR_ENV": "test",
                "LLR_CITIZEN_KEY_SECRET": TEST_SECRET,
                "LLR_AUTH_AUDIENCE": AUDIENCE,
                "LLR_AUTH_ISSUERS": json.dumps([{"issuer": ISSUER, "jwks": self.issuer.jwks()}]),
                "LLR_DEV_ISSUER": "false",
                "LLR_DEV_KEYS_DIR": str(self.work_dir / "dev-keys"),
                "LLR_DB_CONNECT_TIMEOUT_SECONDS": str(DB_CONNECT_TIMEOUT),
                "LLR_REQUEST_TIMEOUT_SECONDS": str(REQUEST_TIMEOUT),
                "LLR_DB_POOL_SIZE": "5",
                "LLR_LOG_LEVEL": "INFO",  # one access line per request: the log is checked too
            }
        )
        return env | self.extra_env

    def start(self, timeout: float = 60) -> "LiveServer":
        repo = Path(__file__).resolve().parents[2]
        args = [
            sys.executable,
            "-m",
            "app.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                args,
                cwd=repo,
                env=self.environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_until(self._ready, timeout, f"llr serve on {self.base_url} (see {self.log_path})")
        return self

    def _ready(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"llr serve exited: {self.log_tail()}")
        try:
            return httpx.get(self.base_url + "/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def kill(self) -> None:
        """SIGKILL to the server and all its workers at once: no shutdown code runs."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        self.process = None

    def restart(self) -> "LiveServer":
        """A new process on a new port, same database."""
        self.port = free_port()
        return self.start()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def processes(self) -> list[int]:
        """The pids of the server's process group (the supervisor and its workers)."""
        if self.process is None:
            return []
        group = self.process.pid
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == group:
                found.append(int(entry.name))
        return found


def start_pair(folder: Path, *, synchronous: bool) -> tuple[PgNode, PgNode]:
    """A primary with an empty ``llr`` database and its streaming replica (``pg_basebackup``),
    as ``llr topology start`` runs them; ``synchronous``: a commit is acknowledged only once the
    replica has it."""
    primary = PgNode(folder / "primary", free_port(), durable=False).init_primary().start()
    create_database(primary)
    replica = PgNode(folder / "replica", free_port(), durable=False)
    replica.clone_from(primary, REPLICA_NAME).start()
    wait_replica_streaming(primary)
    if synchronous:
        # only once it streams: a commit before would wait for the replica forever
        primary.settings["synchronous_standby_names"] = REPLICA_NAME
        primary.stop()
        primary.start()
        wait_replica_streaming(primary)
    return primary, replica
