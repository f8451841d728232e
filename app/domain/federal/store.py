"""The SQL of the federal sync: the feed's state (cursor, last success, last failure) and the
last federal account seen per citizen and window beside what the sync posted from it."""

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

SOURCE = "fla"
"""The federal learning account's feed: the one source today."""


@dataclass(frozen=True, slots=True)
class SyncState:
    cursor: str | None
    changes_seen: int
    last_attempt_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Mirror:
    """What the service last saw of one federal account, and posted from it (1/100 day)."""

    citizen_key: str
    window_key: str
    change_id: str
    federal_version: int
    accrued: dict[int, int]
    used: int
    balance: int
    posted_accrued: dict[int, int]
    posted_used: int
    changed_at: datetime
    synced_at: datetime


async def read_state(session: AsyncSession, source: str = SOURCE) -> SyncState | None:
    row = (
        await session.execute(
            text(
                "SELECT cursor, changes_seen, last_attempt_at, last_success_at, last_error "
                "FROM federal_sync_state WHERE source = :source"
            ),
            {"source": source},
        )
    ).first()
    return SyncState(*row) if row else None


async def save_cursor(
    session: AsyncSession, cursor: str, changes: int, now: datetime, source: str = SOURCE
) -> None:
    """The feed's position after a page, in the page's own transaction (a crash resumes here)."""
    await session.execute(
        text(
            "INSERT INTO federal_sync_state (source, cursor, changes_seen, last_attempt_at) "
            "VALUES (:source, :cursor, :changes, :now) ON CONFLICT (source) DO UPDATE SET "
            "cursor = EXCLUDED.cursor, last_attempt_at = EXCLUDED.last_attempt_at, "
            "changes_seen = federal_sync_state.changes_seen + EXCLUDED.changes_seen"
        ),
        {"source": source, "cursor": cursor, "changes": changes, "now": now},
    )


async def finish(
    session: AsyncSession, now: datetime, error: str | None, source: str = SOURCE
) -> None:
    """A sync's end: a success clears the last error; a failure keeps the last success."""
    await session.execute(
        text(
            "INSERT INTO federal_sync_state (source, last_attempt_at, last_success_at, "
            "last_error) VALUES (:source, :now, CASE WHEN CAST(:error AS text) IS NULL "
            "THEN CAST(:now AS timestamptz) END, :error) "
            "ON CONFLICT (source) DO UPDATE SET last_attempt_at = EXCLUDED.last_attempt_at, "
            "last_success_at = coalesce(EXCLUDED.last_success_at, "
            "federal_sync_state.last_success_at), last_error = EXCLUDED.last_error"
        ),
        {"source": source, "now": now, "error": error},
    )


def _years(value: dict[str, int] | None) -> dict[int, int]:
    return {int(year): int(days) for year, days in (value or {}).items()}


def _mirror(row: Sequence[object]) -> Mirror:
    (key, window, change, version, accrued, used, balance, posted, posted_used, at, synced) = row
    return Mirror(
        str(key),
        str(window),
        str(change),
        int(str(version)),
        _years(accrued),  # type: ignore[arg-type]
        int(str(used)),
        int(str(balance)),
        _years(posted),  # type: ignore[arg-type]
        int(str(posted_used)),
        at,  # type: ignore[arg-type]
        synced,  # type: ignore[arg-type]
    )


COLUMNS = (
    "f.citizen_key, f.window_key, f.change_id, f.federal_version, f.accrued, f.used, f.balance, "
    "f.posted_accrued, f.posted_used, f.changed_at, f.synced_at"
)


async def lock_mirrors(
    session: AsyncSession, rights: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], Mirror]:
    """The mirrors of (citizen key, window) pairs, locked (two syncs never post one twice)."""
    rows = await session.execute(
        text(
            f"SELECT {COLUMNS} FROM federal_accounts f "  # noqa: S608 - constant columns
            "JOIN unnest(CAST(:keys AS bpchar[]), CAST(:windows AS text[])) AS w(key, window_) "
            "ON f.citizen_key = w.key AND f.window_key = w.window_ "
            "ORDER BY f.citizen_key, f.window_key FOR UPDATE OF f"
        ),
        {"keys": [r[0] for r in rights], "windows": [r[1] for r in rights]},
    )
    found = [_mirror(tuple(r)) for r in rows]
    return {(m.citizen_key, m.window_key): m for m in found}


async def mirrors_of(session: AsyncSession, citizen_key: str) -> list[Mirror]:
    rows = await session.execute(
        text(f"SELECT {COLUMNS} FROM federal_accounts f WHERE f.citizen_key = :key"),  # noqa: S608
        {"key": citizen_key},
    )
    return [_mirror(tuple(r)) for r in rows]


async def save_mirrors(session: AsyncSession, mirrors: Sequence[Mirror]) -> None:
    if not mirrors:
        return
    await session.execute(
        text(
            "INSERT INTO federal_accounts (citizen_key, window_key, change_id, federal_version, "
            "accrued, used, balance, posted_accrued, posted_used, changed_at, synced_at) "
            "SELECT u.key, u.window_, u.change, u.version, CAST(u.accrued AS jsonb), u.used, "
            "u.balance, CAST(u.posted AS jsonb), u.posted_used, u.changed, u.synced "
            "FROM unnest(CAST(:keys AS bpchar[]), CAST(:windows AS text[]), "
            "CAST(:changes AS text[]), CAST(:versions AS bigint[]), CAST(:accrued AS text[]), "
            "CAST(:used AS bigint[]), CAST(:balances AS bigint[]), CAST(:posted AS text[]), "
            "CAST(:posted_used AS bigint[]), CAST(:changed AS timestamptz[]), "
            "CAST(:synced AS timestamptz[])) AS u(key, window_, change, version, accrued, used, "
            "balance, posted, posted_used, changed, synced) ORDER BY u.key, u.window_ "
            "ON CONFLICT (citizen_key, window_key) DO UPDATE SET "
            "change_id = EXCLUDED.change_id, federal_version = EXCLUDED.federal_version, "
            "accrued = EXCLUDED.accrued, used = EXCLUDED.used, balance = EXCLUDED.balance, "
            "posted_accrued = EXCLUDED.posted_accrued, posted_used = EXCLUDED.posted_used, "
            "changed_at = EXCLUDED.changed_at, synced_at = EXCLUDED.synced_at"
        ),
        {
            "keys": [m.citizen_key for m in mirrors],
            "windows": [m.window_key for m in mirrors],
            "changes": [m.change_id for m in mirrors],
            "versions": [m.federal_version for m in mirrors],
            "accrued": [json.dumps({str(y): d for y, d in m.accrued.items()}) for m in mirrors],
            "used": [m.used for m in mirrors],
            "balances": [m.balance for m in mirrors],
            "posted": [
                json.dumps({str(y): d for y, d in m.posted_accrued.items()}) for m in mirrors
            ],
            "posted_used": [m.posted_used for m in mirrors],
            "changed": [m.changed_at for m in mirrors],
            "synced": [m.synced_at for m in mirrors],
        },
    )
