"""``llr topology start|stop|status``: the scaled-out topology on this machine (see
app/topology)."""

import argparse
import json
from pathlib import Path


def arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--folder", default=".llr/topology", help="data, logs and state.json")
    parser.add_argument("--instances", type=int, default=2, help="llr serve instances")
    parser.add_argument("--workers", type=int, default=1, help="worker processes per instance")
    parser.add_argument("--no-pgbouncer", action="store_true", help="instances on the primary")
    parser.add_argument("--no-replica", action="store_true", help="no streaming replica")
    parser.add_argument(
        "--asynchronous", action="store_true", help="asynchronous replication (default: sync)"
    )
    parser.add_argument("--port", type=int, default=8080, help="HAProxy's port")


def main(args: argparse.Namespace) -> int:
    from app.topology import Ports, Topology, stop_from_state

    folder = Path(args.folder)
    state = folder / "state.json"
    if args.action == "stop":
        print("stopped" if stop_from_state(folder) else f"nothing running in {folder}")
        return 0
    if args.action == "status":
        print(state.read_text() if state.exists() else f"nothing running in {folder}")
        return 0
    if state.exists():
        print(f"already running (see {state}); `llr topology stop` first")
        return 1
    topology = Topology(
        folder,
        instances=args.instances,
        workers=args.workers,
        ports=Ports(haproxy=args.port),
        pgbouncer=not args.no_pgbouncer,
        replica=not args.no_replica,
        synchronous=not args.asynchronous,
    ).start()
    print(json.dumps(json.loads(state.read_text()), indent=2))
    print(f"serving on {topology.base_url}; stop with: ./dev llr topology stop")
    return 0
