"""Tables are declared once: what the code declares (``Base.metadata``) is what the migrations
built, so ``alembic revision --autogenerate`` finds nothing to do; and the transaction types
the ledger's CHECK allows are exactly ``TransactionType``."""

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

import app.models  # noqa: F401 - every table on Base.metadata
from app.db import Base
from app.domain.ledger.tables import TransactionType


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_the_declared_tables_are_the_migrated_ones(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        differences = await conn.run_sync(_differences)
    assert differences == []


async def test_the_transaction_types_are_the_ones_the_database_allows(
    engine: AsyncEngine,
) -> None:
    async with engine.connect() as conn:
        definition = await conn.scalar(
            text(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conname = 'ck_ledger_transactions_type'"
            )
        )
    assert set(re.findall(r"'(\w+)'", str(definition))) == {t.value for t in TransactionType}


async def test_the_event_types_are_the_ones_the_database_allows(engine: AsyncEngine) -> None:
    from app.domain.webhooks.tables import EventType

    async with engine.connect() as conn:
        definition = await conn.scalar(
            text(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conname = 'ck_webhook_events_type'"
            )
        )
    assert set(re.findall(r"'([\w.]+)'", str(definition))) == {t.value for t in EventType}
