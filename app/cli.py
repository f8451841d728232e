"""The ``llr`` command: serve, migrate, openapi, token (and the batch commands of later
issues)."""

import argparse
import json
import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from app.commands import demo as demo_command
from app.commands import federal as federal_command
from app.commands import ledger as ledger_command
from app.commands import simulate as simulate_command
from app.commands import statistics as statistics_command
from app.commands import trainings as trainings_command
from app.settings import ConfigurationError, Settings, get_settings

log = logging.getLogger("llr.cli")
OPENAPI_PATH = Path("openapi/openapi.json")
OPENAPI_FILES = {"3.1": OPENAPI_PATH, "3.0": Path("openapi/openapi-3.0.json")}

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Command, Callable[[argparse.ArgumentParser], None], str]] = {}


def command(
    name: str, help_: str
) -> Callable[[Callable[[argparse.ArgumentParser], None]], Callable[[Command], Command]]:
    def with_args(
        add_args: Callable[[argparse.ArgumentParser], None],
    ) -> Callable[[Command], Command]:
        def register(func: Command) -> Command:
            COMMANDS[name] = (func, add_args, help_)
            return func

        return register

    return with_args


def _serve_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to bind (LLR_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (LLR_PORT, default 8000)")
    parser.add_argument("--workers", type=int, help="worker processes (LLR_WORKERS, default 1)")
    parser.add_argument("--data-dir", help="embedded PostgreSQL data (LLR_DATA_DIR)")


@command("serve", "run the service (embedded PostgreSQL when no DATABASE_URL is set)")(_serve_args)
def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.embedded_pg import EmbeddedPostgres, ensure_database
    from app.http_protocol import HEAD_LINE_BYTES
    from app.migrate import upgrade
    from app.observability import configure_logging

    for option, env in (
        ("host", "LLR_HOST"),
        ("port", "LLR_PORT"),
        ("workers", "LLR_WORKERS"),
        ("data_dir", "LLR_DATA_DIR"),
    ):
        if getattr(args, option) is not None:
            os.environ[env] = str(getattr(args, option))
    get_settings.cache_clear()
    settings = get_settings()
    configure_logging(settings.log_level)
    embedded = None
    url = settings.database_url
    if not url:
        log.info("no DATABASE_URL: starting the embedded PostgreSQL")
        embedded = EmbeddedPostgres(settings.data_dir).start()
        ensure_database(embedded.url(), "llr")
        url = embedded.url("llr")
        os.environ["LLR_DATABASE_URL"] = url  # the app factory and worker processes read it
        get_settings.cache_clear()
    stopping = threading.Event()
    if embedded is not None:
        # a daemon thread of this (the supervising) process: PostgreSQL, started again from it,
        # still gets the parent-death signal when this process goes
        threading.Thread(
            target=embedded.supervise,
            args=(stopping,),
            daemon=True,
            name="embedded-postgres-supervisor",
        ).start()
    try:
        if settings.migrate_on_start or embedded is not None:
            upgrade(url)
            log.info("migrations applied")
        log.info("serving on http://%s:%s", settings.host, settings.port)
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            log_config=None,
            access_log=False,
            server_header=False,
            http="app.http_protocol:GuardedH11Protocol",
            h11_max_incomplete_event_size=settings.max_header_bytes + HEAD_LINE_BYTES,
        )
    finally:
        stopping.set()
        if embedded is not None:
            embedded.stop()
            log.info("embedded PostgreSQL stopped")
    return 0


@command("migrate", "apply the database migrations (DATABASE_URL)")(lambda parser: None)
def migrate(args: argparse.Namespace) -> int:
    from app.migrate import upgrade

    url = get_settings().database_url
    if not url:
        print("llr migrate: set DATABASE_URL", file=sys.stderr)
        return 2
    upgrade(url)
    return 0


def _openapi_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    parser.add_argument(
        "--version",
        choices=["3.1", "3.0"],
        help="only this rendition (default: both, openapi.json and openapi-3.0.json)",
    )
    parser.add_argument("--output", help="with --version: the file to write or check")


def openapi_text(version: str = "3.1") -> str:
    from app.main import create_app
    from app.openapi import as_openapi_30

    spec = create_app(Settings(database_url="postgresql://unused/unused")).openapi()
    if version == "3.0":
        spec = as_openapi_30(spec)
    return json.dumps(spec, indent=2, ensure_ascii=False) + "\n"


@command("openapi", "write (or --check) openapi/openapi.json (3.1) and openapi-3.0.json")(
    _openapi_args
)
def openapi(args: argparse.Namespace) -> int:
    versions = [args.version] if args.version else list(OPENAPI_FILES)
    failed = 0
    for version in versions:
        text = openapi_text(version)
        path = Path(args.output) if args.output and args.version else OPENAPI_FILES[version]
        if args.check:
            if not path.exists() or path.read_text() != text:
                print(f"{path} differs from the app: run `./dev llr openapi`", file=sys.stderr)
                failed = 1
            else:
                print(f"{path} is up to date")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}")
    return failed


@command("trainings", "the ODB training catalogue: llr trainings import FILE")(
    trainings_command.add_arguments
)
def trainings(args: argparse.Namespace) -> int:
    return trainings_command.main(args)


def _token_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--partner", required=True, help="a partner of the registry, e.g. vdab")
    parser.add_argument("--ssin", help="bind the token to this citizen (an `ssin` claim)")
    parser.add_argument("--scope", help="space-separated scopes (default: all the partner's)")
    parser.add_argument("--lifetime", type=int, default=3600, help="seconds (default 3600)")


@command("token", "mint a development access token (refused in production)")(_token_args)
def token(args: argparse.Namespace) -> int:
    from app.domain.access.partners import load_registry
    from app.domain.identity import InvalidSsin, parse_ssin
    from app.security.devtokens import DEV_ISSUER, load_or_create_key, mint
    from app.settings import is_production

    if is_production() or not get_settings().trusts_dev_issuer:
        print(
            "llr token: refused: in production (or with LLR_DEV_ISSUER=false) the service "
            "only verifies tokens, it never mints them",
            file=sys.stderr,
        )
        return 2
    settings = get_settings()
    registry = load_registry(settings.partners_file)
    if args.partner not in registry.partners:
        known = ", ".join(sorted(registry.partners))
        print(f"llr token: no partner {args.partner!r} (known: {known})", file=sys.stderr)
        return 2
    policy = registry[args.partner]
    try:
        ssin = parse_ssin(args.ssin).value if args.ssin else None
    except InvalidSsin as exc:
        print(f"llr token: --ssin: {exc}", file=sys.stderr)
        return 2
    scopes = args.scope.split() if args.scope is not None else sorted(policy.scopes)
    key = load_or_create_key(settings.dev_keys_dir)
    print(
        mint(
            key,
            issuer=DEV_ISSUER,
            audience=settings.auth_audience,
            client_id=sorted(policy.client_ids)[0],
            scopes=scopes,
            ssin=ssin,
            lifetime_seconds=args.lifetime,
        )
    )
    return 0


@command("grant", "grant a period's rights to every citizen with stored facts")(
    ledger_command.grant_arguments
)
def grant(args: argparse.Namespace) -> int:
    return ledger_command.main("grant", args)


@command("rollover", "close ended periods: expire (or carry over) what is left")(
    ledger_command.rollover_arguments
)
def rollover(args: argparse.Namespace) -> int:
    return ledger_command.main("rollover", args)


@command("holds", "holds: llr holds expire")(ledger_command.holds_arguments)
def holds(args: argparse.Namespace) -> int:
    return ledger_command.main("holds", args)


def _webhooks_args(parser: argparse.ArgumentParser) -> None:
    from app.commands import webhooks as webhooks_command

    webhooks_command.arguments(parser)


@command("webhooks", "webhooks: llr webhooks deliver | expiring")(_webhooks_args)
def webhooks(args: argparse.Namespace) -> int:
    from app.commands import webhooks as webhooks_command

    return webhooks_command.main(args)


@command("demo-citizens", "fictional citizens on a running development service")(
    demo_command.add_arguments
)
def demo_citizens(args: argparse.Namespace) -> int:
    return demo_command.main(args)


@command("federal", "the federal learning account: llr federal simulate | sync | reconcile")(
    federal_command.add_arguments
)
def federal(args: argparse.Namespace) -> int:
    return federal_command.main(args)


@command("statistics", "take-up tables in the terminal; `llr statistics refresh` folds the ledger")(
    statistics_command.arguments
)
def statistics(args: argparse.Namespace) -> int:
    return statistics_command.main(args)


@command("simulate", "a reform run on every citizen with facts (never the ledger)")(
    simulate_command.arguments
)
def simulate(args: argparse.Namespace) -> int:
    return simulate_command.main(args)


def _topology_args(parser: argparse.ArgumentParser) -> None:
    from app.commands import topology as topology_command

    topology_command.arguments(parser)


@command("topology", "primary, replica, PgBouncer, HAProxy and N instances on loopback")(
    _topology_args
)
def topology(args: argparse.Namespace) -> int:
    from app.commands import topology as topology_command

    return topology_command.main(args)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="llr", description="The LLR service and its tools")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (_, add_args, help_) in COMMANDS.items():
        add_args(sub.add_parser(name, help=help_, description=help_))
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command][0](args)
    except ConfigurationError as exc:
        print("llr: the configuration cannot be used:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
