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
