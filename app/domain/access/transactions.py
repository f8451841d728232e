"""Whether a principal may post a transaction: its partner's posting permissions for the type and
the incentive, and, for a citizen-bound token, the citizen. A capture, release or reverse names
an earlier transaction: the incentive and the citizen are that transaction's."""

import uuid

from app.domain.access.principal import Principal
from app.domain.ledger.idempotency import Named
from app.domain.ledger.ports import CitizenRef
from app.domain.vault import SsinVault


def authorize_posting(
    vault: SsinVault,
    principal: Principal,
    type_: str,
    citizen: CitizenRef | None = None,
    incentive: str | None = None,
    referenced: uuid.UUID | None = None,
    named: Named | None = None,
) -> CitizenRef | None:
    """The citizen the transaction will concern (None when the ``referenced`` transaction does
    not exist, ``named`` being None: the ledger then answers 404), or ``MissingPermission``."""
    if referenced is not None:
        if named is None or named.citizen_key is None:
            principal.check_posting(type_, None if named is None else named.incentive)
            return None
        incentive = named.incentive
        if named.ssin_ciphertext is None or named.ssin_key_id is None:
            # posted before SSINs were sealed on batch postings: the key alone is checked
            principal.check_posting(type_, incentive)
            principal.check_citizen_key(named.citizen_key)
            return None
        ssin = vault.open(named.ssin_ciphertext, named.ssin_key_id)
        citizen = CitizenRef(ssin, named.citizen_key)
    principal.check_posting(type_, incentive)
    if citizen is not None:
        principal.check_citizen_key(citizen.key)
    return citizen
