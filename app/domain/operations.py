"""What the HTTP layer calls: each public operation as one function, with its access checks and
its line on the citizen's access log, so routers only parse, call and render.

(``POST /transactions`` has a module of its own: ``app/domain/postings.py``.)"""

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.access import Principal, record_access, record_accesses
from app.domain.access.log import AccessPage, check_log_reader, read_access_log
from app.domain.access.privacy import refuse_ssins
from app.domain.citizens import remember_citizen
from app.domain.corrections import correct_rights
from app.domain.errors import InvalidInput, NotFound
from app.domain.identity import CitizenKeyer
from app.domain.ledger.ports import CitizenRef
from app.domain.ledger.queries import Page, TransactionFilter, list_transactions, load_transaction
from app.domain.ledger.service import Ledger
from app.domain.ledger.views import TransactionView
from app.domain.rules.facts import Facts
from app.domain.rules.facts_store import StoredFacts
from app.domain.rules.messages import effective_language
from app.domain.rules.model import Evaluation
from app.domain.rules.service import Citizen, declare_facts, eligibility, stored_facts
from app.domain.rules.training import TrainingInfo
from app.domain.rules.training_store import find_training
from app.domain.statistics.dimensions import remember_dimensions
from app.domain.vault import SsinVault
from app.domain.wallet import DecisionView, WalletOptions, WalletView, decision, wallet


@dataclass(frozen=True, slots=True)
class EligibilityQuestion:
    facts: Facts
    as_of: date
    ssin: str | None = None
    facts_version: int | None = None
    known_at: datetime | None = None
    training: TrainingInfo | None = None
    incentives: Sequence[str] | None = None


@dataclass(frozen=True, slots=True)
class LocalisedAnswer:
    evaluation: Evaluation
    facts_version: int | None
    language: str
    """The language the messages are in (``Content-Language``)."""


async def eligibility_for(
    session: AsyncSession,
    keyer: CitizenKeyer,
    principal: Principal,
    question: EligibilityQuestion,
    language: str,
) -> LocalisedAnswer:
    """The anonymous wizard's answer, or a known citizen's (a look at their stored facts, on
    the record)."""
    citizen = None
    if question.facts_version is not None and question.ssin is None:
        raise InvalidInput("factsVersion", question.facts_version, "factsVersion needs an ssin")
    if question.known_at is not None and question.ssin is None:
        raise InvalidInput("knownAt", question.known_at.isoformat(), "knownAt needs an ssin")
    if question.ssin is not None:
        ssin = principal.check_citizen(question.ssin, "body")
        citizen = Citizen(keyer.key(ssin), ssin.birth_date)
        await record_access(session, principal, citizen.key, "eligibility.read", principal.endpoint)
    answer = await eligibility(
        session,
        question.facts,
        question.as_of,
        citizen=citizen,
        facts_version=question.facts_version,
        known_at=question.known_at,
        training=question.training,
        incentives=question.incentives,
        language=language,
    )
    return LocalisedAnswer(answer.evaluation, answer.facts_version, effective_language(language))


@dataclass(frozen=True, slots=True)
class FactsDeclared:
    facts: Facts
    source: str
    observed_on: date


async def declare_citizen_facts(
    ledger: Ledger,
    keyer: CitizenKeyer,
    principal: Principal,
    ssin: str,
    declared: FactsDeclared,
    today: date,
) -> tuple[str, StoredFacts]:
    """(the SSIN as 11 digits, the new version). Facts that hold from a past day correct the
    settled rights they reach; the citizen's monitoring groups follow the facts in time."""
    session = ledger.session
    citizen = principal.check_citizen(ssin)
    refuse_ssins({"source": declared.source})
    key = keyer.key(citizen)
    await remember_citizen(session, ledger.vault, key, citizen)
    stored = await declare_facts(
        session,
        key,
        declared.facts,
        source=declared.source,
        observed_on=declared.observed_on,
        recorded_by=principal.partner,
        today=today,
    )
    if declared.observed_on < today:
        at = max(ledger.now, stored.recorded_at)  # decided knowing them: a replay sees them
        ref = CitizenRef(citizen, key)
        await correct_rights(
            session, ref, ledger.vault, declared.observed_on, stored.version, at, principal.trace_id
        )
    await remember_dimensions(session, key, citizen, declared.observed_on)
    await record_access(session, principal, key, "facts.write", principal.endpoint)
    return citizen.value, stored


async def read_citizen_facts(
    session: AsyncSession,
    keyer: CitizenKeyer,
    principal: Principal,
    ssin: str,
    version: int | None,
    known_at: datetime | None,
    valid_on: date | None,
) -> tuple[str, StoredFacts]:
    citizen = principal.check_citizen(ssin)
    if version is not None and (known_at or valid_on):
        raise InvalidInput("version", version, "version names one version: no knownAt or validOn")
    key = keyer.key(citizen)
    stored = await stored_facts(session, key, version, known_at=known_at, valid_on=valid_on)
    await record_access(session, principal, key, "facts.read", principal.endpoint)
    return citizen.value, stored


async def read_transaction(
    session: AsyncSession,
    keyer: CitizenKeyer,
    vault: SsinVault,
    principal: Principal,
    transaction_id: uuid.UUID,
    now: datetime,
) -> TransactionView:
    view = await load_transaction(session, transaction_id, vault, now)
    principal.check_reading(view.incentive, view.caller)
    citizen_key = keyer.key(view.ssin) if view.ssin else None
    principal.check_citizen_key(citizen_key)
    if citizen_key is not None:
        await record_access(session, principal, citizen_key, "transaction.read", principal.endpoint)
    return view


@dataclass(frozen=True, slots=True)
class TransactionQuery:
    ssin: str | None
    incentive: str | None
    type: str | None
    status: str | None
    from_: date | None
    to: date | None
    page_size: int
    cursor: str | None


class ReadSessions(Protocol):
    """Where a request's reads may go (``app.replica.Reads``): a replica's session when the
    caller accepts its staleness and it has caught up, else the primary's."""

    def session(self, stale_ok: bool = True) -> AbstractAsyncContextManager[AsyncSession]: ...


@asynccontextmanager
async def _reading(
    primary: AsyncSession, reads: ReadSessions | None, stale_ok: bool = True
) -> AsyncIterator[AsyncSession]:
    if reads is None:
        yield primary
        return
    async with reads.session(stale_ok) as session:
        yield session


async def search_transactions(
    session: AsyncSession,
    keyer: CitizenKeyer,
    vault: SsinVault,
    principal: Principal,
    query: TransactionQuery,
    now: datetime,
    reads: ReadSessions | None = None,
) -> Page:
    """A page of the transactions the principal may read; every citizen shown is on record."""
    citizen = principal.check_citizen(query.ssin, "query") if query.ssin else principal.ssin
    citizen_key = keyer.key(citizen) if citizen is not None else None
    if citizen_key is None and (query.status is not None or query.type is not None):
        # neither is indexed: over every citizen, a rare status would scan the whole table
        raise InvalidInput("ssin", None, "filtering by status or type needs an ssin", "query")
    where = TransactionFilter(
        citizen_key,
        query.incentive,
        query.type,
        query.status,
        query.from_,
        query.to,
        principal.readable_incentives,
        principal.partner,
    )
    async with _reading(session, reads) as read_session:
        page = await list_transactions(
            read_session, where, vault, now, query.page_size, query.cursor
        )
    # Every citizen the page shows is on record, whether asked for by SSIN or not, with the
    # filter that showed them (validated codes and dates only: the SSIN is the row's citizen).
    shown = [keyer.key(v.ssin) for v in page.items if v.ssin is not None]
    asked = {
        "incentive": query.incentive,
        "type": query.type,
        "status": query.status,
        "from": query.from_,
        "to": query.to,
    }
    action = " ".join(["transactions.list"] + [f"{k}={v}" for k, v in asked.items() if v])
    await record_accesses(
        session, principal, [citizen_key] if citizen_key else shown, action, principal.endpoint
    )
    return page


async def read_decision(
    session: AsyncSession, vault: SsinVault, principal: Principal, decision_id: uuid.UUID
) -> DecisionView:
    found = await decision(session, vault, decision_id)
    if found is None:
        raise NotFound(f"no decision {decision_id}")
    principal.check_citizen_key(found.citizen_key)
    await record_access(session, principal, found.citizen_key, "decision.read", principal.endpoint)
    return found


@dataclass(frozen=True, slots=True)
class LocalisedWallet:
    ssin: str
    """11 digits."""
    view: WalletView
    language: str
    """The language the messages are in (``Content-Language``)."""


async def wallet_for(
    ledger: Ledger,
    keyer: CitizenKeyer,
    principal: Principal,
    ssin: str,
    as_of: date,
    language: str,
    known_at: datetime | None,
    options: WalletOptions,
    reads: ReadSessions | None = None,
) -> LocalisedWallet:
    """The citizen's wallet; the read is on the record (appended by the read itself)."""
    parsed = principal.check_citizen(ssin)
    citizen = CitizenRef(parsed, keyer.key(parsed))
    access = principal.access(citizen.key, "wallet.read")
    # a wallet for another day or at a past instant settles nothing: a replica may answer it
    stale_ok = as_of != ledger.today or known_at is not None
    async with _reading(ledger.session, reads, stale_ok) as session:
        on_replica = session is not ledger.session
        reader = Ledger(session, ledger.catalog, ledger.entitlements, ledger.vault, ledger.now)
        # every read is on the record, also one that changed nothing (appended by the read
        # itself on the primary; a replica's read appends it there afterwards)
        view = await wallet(
            reader if on_replica else ledger,
            principal.actor,
            citizen,
            as_of,
            language,
            None if on_replica else access,
            known_at,
            options,
        )
    if on_replica:
        await record_access(ledger.session, principal, citizen.key, access.action, access.endpoint)
    return LocalisedWallet(parsed.value, view, effective_language(language))


async def read_citizen_log(
    session: AsyncSession,
    keyer: CitizenKeyer,
    principal: Principal,
    ssin: str,
    page_size: int,
    cursor: str | None,
) -> AccessPage:
    """A page of the citizen's access log (the citizen's own token, or an auditor's); the read
    is itself on the log."""
    citizen_key = keyer.key(check_log_reader(principal, ssin))
    page = await read_access_log(session, citizen_key, page_size, cursor)
    await record_access(session, principal, citizen_key, "accessLog.read", principal.endpoint)
    return page


class TrainingNotFound(NotFound):
    pass


async def read_training(session: AsyncSession, odb_id: str) -> TrainingInfo:
    found = await find_training(session, odb_id)
    if found is None:
        raise TrainingNotFound(f"no training {odb_id} in the catalogue")
    return found
