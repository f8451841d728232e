"""``llr trainings import FILE``: loads an ODB catalogue export into the trainings table."""

import argparse
import asyncio
import sys
from collections.abc import Iterable
from pathlib import Path

from tqdm import tqdm

from app.db import create_engine, create_sessionmaker
from app.domain.rules.catalogue import BadRow, CatalogueError, read_catalogue
from app.domain.rules.training import TrainingInfo
from app.domain.rules.training_store import upsert_trainings
from app.settings import Settings

BATCH = 500


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    load = actions.add_parser("import", help="import a catalogue file (CSV, JSON, JSON Lines)")
    load.add_argument("file", type=Path)
    load.add_argument("--format", choices=["csv", "json", "jsonl"], help="default: by extension")


def split(rows: Iterable[TrainingInfo | BadRow]) -> tuple[list[TrainingInfo], list[BadRow]]:
    good: dict[str, TrainingInfo] = {}
    bad: list[BadRow] = []
    for row in tqdm(rows, desc="reading", unit=" rows", file=sys.stderr):
        if isinstance(row, BadRow):
            bad.append(row)
        else:
            assert row.odb_id is not None
            good[row.odb_id] = row  # a later row for the same id wins, as a newer export would
    return list(good.values()), bad


async def store(settings: Settings, url: str, trainings: list[TrainingInfo]) -> int:
    engine = create_engine(settings, url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            with tqdm(total=len(trainings), desc="storing", unit=" rows", file=sys.stderr) as bar:
                for start in range(0, len(trainings), BATCH):
                    bar.update(await upsert_trainings(session, trainings[start : start + BATCH]))
    finally:
        await engine.dispose()
    return len(trainings)


def run(args: argparse.Namespace, settings: Settings, url: str) -> int:
    path: Path = args.file
    if not path.is_file():
        print(f"llr trainings import: no such file {path}", file=sys.stderr)
        return 2
    try:
        good, bad = split(read_catalogue(path, args.format))
    except CatalogueError as exc:
        print(f"llr trainings import: {path}: {exc}", file=sys.stderr)
        return 2
    for row in bad:
        print(f"{path}:{row.line}: skipped: {row.message}", file=sys.stderr)
    stored = asyncio.run(store(settings, url, good))
    print(f"imported {stored} trainings, skipped {len(bad)} bad rows")
    return 1 if bad and not good else 0


def main(args: argparse.Namespace) -> int:
    """Against DATABASE_URL, or the embedded PostgreSQL of ``llr serve`` (not while it runs)."""
    from app.commands.database import command_database
    from app.settings import get_settings

    settings = get_settings()
    with command_database(settings) as url:
        return run(args, settings, url)
