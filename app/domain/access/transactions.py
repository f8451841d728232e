"""Whether a principal may post a transaction: its partner's posting permissions for the type and
the incentive, and, for a citizen-bound token, the citizen. A capture, release or reverse names
an earlier transaction: the incentive and the citizen are that transaction's."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.access.principal import Principal
from app.domain.ledger.ports import CitizenRef
from app.domain.ledger.tables import transactions
from app.domain.vault import SsinVault


async def authorize_posting(
    session: AsyncSession,
    vault: SsinVault,
    principal: Principal,
    type_: str,
    citizen: CitizenRef | None = None,
    incentive: str | None = None,
    referenced: uuid.UUID | None = None,
) -> CitizenRef | None:
    """The citizen the transaction will concern (None when ``referenced`` does not exist: the
    ledger then answers 404), or ``MissingPermission``."""
    if referenced is not None:
        row = (await session.execute(
            select(transactions.c.citizen_key, transactions.c.incentive,
                   transactions.c.ssin_ciphertext, transactions.c.ssin_key_id)
            .where(transactions.c.id == referenced)
        )).first()  # fmt: skip
        if row is None:
            principal.check_posting(type_, None)
            return None
        incentive = row.incentive
        citizen = CitizenRef(vault.open(row.ssin_ciphertext, row.ssin_key_id), row.citizen_key)
    principal.check_posting(type_, incentive)
    if citizen is not None:
        principal.check_citizen_key(citizen.key)
    return citizen
