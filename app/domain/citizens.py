"""The citizens the service knows: each citizen key with its sealed SSIN, kept once, so that a
batch knowing only keys (``llr grant``) seals the SSIN on what it posts as a request does."""

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.identity import Ssin
from app.domain.ledger.tables import citizens
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


async def known_ssin(session: AsyncSession, vault: SsinVault, citizen_key: str) -> Ssin | None:
    """The SSIN behind a citizen key, opened from its sealed copy (None: never remembered), for
    what the rules read from it (the birth date) when only the key is at hand."""
    row = (
        await session.execute(
            select(citizens.c.ssin_ciphertext, citizens.c.ssin_key_id).where(
                citizens.c.citizen_key == citizen_key
            )
        )
    ).first()
    return None if row is None else vault.open(row.ssin_ciphertext, row.ssin_key_id)
