"""The facts store in valid time: the migration's backfill turns merged versions into what each
declared, and folding the declarations gives back the facts as recorded."""

import importlib.util
import secrets
from datetime import date
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.domain.rules import Facts
from app.domain.rules.facts_store import facts_valid_on, latest_facts, record_facts

MIGRATION = Path("migrations/versions/20261201_f6_facts_in_time.py")


def backfill_sql(repo_root: Path) -> str:
    spec = importlib.util.spec_from_file_location("f6", repo_root / MIGRATION)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sql: str = module.BACKFILL
    return sql


async def test_the_backfill_recovers_each_declaration(
    db: async_sessionmaker[AsyncSession], repo_root: Path
) -> None:
    key = secrets.token_hex(32)
    versions = [
        Facts.model_validate({"livesAlone": True, "weeklyHours": "38"}),
        Facts.model_validate({"livesAlone": True, "weeklyHours": "30"}),
        Facts.model_validate({"weeklyHours": "30", "educationLevel": "high"}),
    ]
    async with db() as session:
        for n, facts in enumerate(versions):  # as written before the column: merged facts only
            await record_facts(session, key, facts, "dmfa", date(2024, 1 + n, 1), "test")
        await session.execute(text("ALTER TABLE citizen_facts DISABLE TRIGGER USER"))
        await session.execute(text(backfill_sql(repo_root)))
        await session.execute(text("ALTER TABLE citizen_facts ENABLE TRIGGER USER"))
        rows = await session.execute(
            text("SELECT declared FROM citizen_facts WHERE citizen_key = :k ORDER BY version"),
            {"k": key},
        )
        assert [r[0] for r in rows] == [
            {"livesAlone": True, "weeklyHours": "38"},
            {"weeklyHours": "30"},
            {"livesAlone": None, "educationLevel": "high"},
        ]
        latest = await latest_facts(session, key)
        folded = await facts_valid_on(session, key, date(2024, 12, 31))
        assert latest is not None
        assert folded is not None
        assert folded.facts == latest.facts
        assert folded.versions == (1, 2, 3)
        february = await facts_valid_on(session, key, date(2024, 2, 15))
        assert february is not None
        assert february.facts == versions[1]
        assert await facts_valid_on(session, key, date(2023, 12, 31)) is None
        await session.rollback()
