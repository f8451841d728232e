"""The citizens the service knows: each citizen key with its sealed SSIN, kept once, so that a
batch knowing only keys (``llr grant``) seals the SSIN on what it posts as a request does."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.identity import Ssin
from app.domain.vault import SsinVault


async def remember_citizen(
    session: AsyncSession, vault: SsinVault, citizen_key: str, ssin: Ssin
) -> None:
    ciphertext, key_id = vault.seal(ssin)
    await session.execute(
        text(
            "INSERT INTO citizens (citizen_key, ssin_ciphertext, ssin_key_id) "
            "VALUES (:key, :ciphertext, :key_id) ON CONFLICT DO NOTHING"
        ),
        {"key": citizen_key, "ciphertext": ciphertext, "key_id": key_id},
    )


async def known_citizens(session: AsyncSession, limit: int) -> list[str]:
    """The keys of the citizens the service knows, oldest first (for a development login)."""
    rows = await session.execute(
        text("SELECT citizen_key FROM citizens ORDER BY created_at, citizen_key LIMIT :limit"),
        {"limit": limit},
    )
    return [row.citizen_key for row in rows]


async def citizen_ssin(session: AsyncSession, vault: SsinVault, citizen_key: str) -> Ssin | None:
    """The SSIN behind a citizen key, opened from its seal; None for a key the service lacks."""
    row = (
        await session.execute(
            text("SELECT ssin_ciphertext, ssin_key_id FROM citizens WHERE citizen_key = :key"),
            {"key": citizen_key},
        )
    ).first()
    return vault.open(row.ssin_ciphertext, row.ssin_key_id) if row else None


async def remember_citizens(
    session: AsyncSession, vault: SsinVault, citizens: list[tuple[str, Ssin]]
) -> None:
    """The same for a batch of (citizen key, SSIN), in one statement."""
    if not citizens:
        return
    sealed = [vault.seal(ssin) for _, ssin in citizens]
    await session.execute(
        text(
            "INSERT INTO citizens (citizen_key, ssin_ciphertext, ssin_key_id) "
            "SELECT * FROM unnest(CAST(:keys AS bpchar[]), CAST(:ciphertexts AS bytea[]), "
            "CAST(:key_ids AS text[])) ORDER BY 1 ON CONFLICT DO NOTHING"
        ),
        {
            "keys": [key for key, _ in citizens],
            "ciphertexts": [c for c, _ in sealed],
            "key_ids": [k for _, k in sealed],
        },
    )
