"""The service beyond one process, on one machine: a PostgreSQL primary and a streaming replica
(synchronous), PgBouncer in transaction mode in front of the primary, N ``llr serve`` instances
and HAProxy balancing over them, all on loopback ports. ``llr topology start`` starts it and
leaves it running (the pids and ports in ``<folder>/state.json``); ``llr topology stop`` stops
everything it started.

    client -> HAProxy :8080 -> llr serve :8101..810N -> PgBouncer :6432 -> primary :5441
                                                   \\-> (past reads) ----> replica :5442
"""

import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.migrate import upgrade
from app.topology.postgres import PgNode
from app.topology.proxies import Process, spawn, start_haproxy, start_pgbouncer

REPLICA_NAME = "replica1"


@dataclass
class Ports:
    haproxy: int = 8080
    pgbouncer: int = 6432
    primary: int = 5441
    replica: int = 5442
    first_instance: int = 8101


def multi_host_url(*nodes: PgNode, database: str = "llr") -> str:
    """The libpq-style URL naming every node, for the node that takes writes: a client
    reconnecting after a failover finds the promoted replica by itself."""
    hosts = ",".join(f"127.0.0.1:{node.port}" for node in nodes)
    return f"postgresql://postgres@{hosts}/{database}?target_session_attrs=read-write"


def wait_replica_streaming(primary: PgNode, timeout: float = 60) -> None:
    """Until the primary sees its replica streaming (and, when synchronous, in sync)."""
    import asyncio

    import asyncpg

    async def streaming() -> bool:
        conn = await asyncpg.connect(primary.url("postgres"))
        try:
            state = await conn.fetchval(
                "SELECT state FROM pg_stat_replication WHERE application_name = $1",
                REPLICA_NAME,
            )
        finally:
            await conn.close()
        return bool(state == "streaming")

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if asyncio.run(streaming()):
            return
        time.sleep(0.1)
    raise RuntimeError("the replica did not stream in time")


def create_database(node: PgNode) -> None:
    from app.embedded_pg import ensure_database

    ensure_database(node.url("postgres"), "llr")


@dataclass
class Topology:
    folder: Path
    instances: int = 2
    workers: int = 1
    ports: Ports = field(default_factory=Ports)
    pgbouncer: bool = True
    replica: bool = True
    synchronous: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)
    """PgBouncer (the databases' side)."""
    front: list[Process] = field(default_factory=list)
    """The instances and HAProxy."""

    def __post_init__(self) -> None:
        self.folder = self.folder.resolve()
        self.primary = PgNode(self.folder / "primary", self.ports.primary)
        self.standby = PgNode(self.folder / "replica", self.ports.replica)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.haproxy}"

    def instance_ports(self) -> list[int]:
        return [self.ports.first_instance + n for n in range(self.instances)]

    def database_url(self) -> str:
        if self.pgbouncer:
            return f"postgresql://postgres@127.0.0.1:{self.ports.pgbouncer}/llr"
        return (
            self.primary.url() if not self.replica else multi_host_url(self.primary, self.standby)
        )

    def instance_env(self, port: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LLR_")}
        env |= {
            "DATABASE_URL": self.database_url(),
            "LLR_PORT": str(port),
            "LLR_HOST": "127.0.0.1",
            "LLR_WORKERS": str(self.workers),
            "LLR_DEV_KEYS_DIR": str(self.folder / "dev-keys"),
            "LLR_DB_PGBOUNCER": "true" if self.pgbouncer else "false",
        }
        if self.replica:
            env["LLR_DATABASE_REPLICA_URL"] = self.standby.url()
        return env | self.extra_env

    def start(self) -> "Topology":
        try:
            self.start_databases()
            self.start_front()
        except BaseException:
            self.stop()
            raise
        self.save()
        return self

    def start_databases(self) -> None:
        """The primary (migrated), the replica streaming, PgBouncer."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.primary.init_primary().start()
        create_database(self.primary)
        # PgBouncer does not pass statement_timeout at connect: the database sets it
        self._sql("ALTER DATABASE llr SET statement_timeout = '15s'")
        upgrade(self.primary.url())
        if self.replica:
            self.standby.clone_from(self.primary, REPLICA_NAME).start()
            wait_replica_streaming(self.primary)
            if self.synchronous:
                # only now: a commit before the replica streams would wait for it forever
                self._sql(f"ALTER SYSTEM SET synchronous_standby_names = '{REPLICA_NAME}'")
                self._sql("SELECT pg_reload_conf()")
        if self.pgbouncer:
            bouncer = self.folder / "pgbouncer"
            self.processes.append(start_pgbouncer(bouncer, self.ports.pgbouncer, self.primary.port))

    def start_front(self) -> None:
        """The instances, healthy, then HAProxy over them."""
        for port in self.instance_ports():
            self.front.append(self.start_instance(port))
        for port in self.instance_ports():
            wait_healthy(f"http://127.0.0.1:{port}")
        haproxy = start_haproxy(self.folder / "haproxy", self.ports.haproxy, self.instance_ports())
        self.front.append(haproxy)
        wait_healthy(self.base_url)

    def stop_front(self) -> None:
        for process in reversed(self.front):
            process.stop(signal.SIGTERM)
        self.front.clear()

    def start_instance(self, port: int) -> Process:
        args = [sys.executable, "-m", "app.cli", "serve"]
        log = self.folder / f"llr-{port}.log"
        return spawn(f"llr:{port}", args, log, env=self.instance_env(port))

    def save(self) -> None:
        state = {
            "processes": [{"name": p.name, "pid": p.pid} for p in self.processes + self.front],
            "primary": str(self.primary.data_dir),
            "replica": str(self.standby.data_dir) if self.replica else None,
            "haproxy": self.base_url,
            "database": self.database_url(),
            "replicaUrl": self.standby.url() if self.replica else None,
        }
        (self.folder / "state.json").write_text(json.dumps(state, indent=2))

    def stop(self) -> None:
        self.stop_front()
        for process in reversed(self.processes):
            process.stop(signal.SIGTERM)
        self.processes.clear()
        for node in (self.standby, self.primary):
            if node.pid() is not None:
                node.stop()
        (self.folder / "state.json").unlink(missing_ok=True)

    def _sql(self, sql: str) -> None:
        import asyncio

        import asyncpg

        async def run() -> None:
            conn = await asyncpg.connect(self.primary.url())
            try:
                await conn.execute(sql)
            finally:
                await conn.close()

        asyncio.run(run())


def stop_from_state(folder: Path) -> bool:
    """Stops what ``llr topology start`` left running in ``folder``; False if nothing was."""
    state_file = folder.resolve() / "state.json"
    if not state_file.exists():
        return False
    state = json.loads(state_file.read_text())
    for entry in reversed(state["processes"]):
        Process(entry["name"], entry["pid"]).stop()
    for data in (state.get("replica"), state["primary"]):
        if data:
            node = PgNode(Path(data), 0)
            if node.pid() is not None:
                node.stop()
    state_file.unlink()
    return True


def wait_healthy(base_url: str, timeout: float = 90) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base_url + "/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base_url}/health did not answer 200 in time")


__all__ = ["PgNode", "Ports", "Topology", "multi_host_url", "stop_from_state"]
