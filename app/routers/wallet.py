"""GET /wallet/{ssin}: a citizen's rights at a date, in both pillars; GET /decisions/{id}: the
receipt a grant came from."""

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Response
from pydantic import Field

from app.auth import AUTH_RESPONSES, require
from app.deps import AsOfDep, KeyerDep, LedgerDep, SessionDep, SettingsDep, VaultDep
from app.domain.access import Principal, record_access
from app.domain.dates import Instant
from app.domain.errors import NotFound
from app.domain.ledger.ports import CitizenRef
from app.domain.ledger.service import Ledger
from app.domain.quantities import Quantity
from app.domain.rules import pick_language
from app.domain.rules.messages import effective_language
from app.domain.wallet import decision, wallet
from app.replica import ReadsDep
from app.routers.problem_docs import problem_responses
from app.routers.transaction_models import BalanceOut
from app.schemas import ApiModel
from app.wire import PeriodOut, QuantityOut, SsinPath

router = APIRouter(tags=["wallet"])


class RightOut(ApiModel):
    incentive: str
    pillar: str
    unit: str
    period: PeriodOut
    granted: str
    carried_in: str
    reserved: str
    used: str
    expired: str
    available: str
    expires_on: date
    status: str
    decision_id: uuid.UUID | None


class EntitlementOut(ApiModel):
    incentive: str
    status: str
    monthly_amount: QuantityOut | None = None
    missing_facts: list[str] = Field(default_factory=list)


class ReferralOut(ApiModel):
    code: str
    message: str
    url: str


class ExpiringOut(ApiModel):
    incentive: str
    period: str = Field(description="the period key", examples=["2026-27"])
    available: QuantityOut
    expires_on: date
    days_left: int


class WalletOut(ApiModel):
    ssin: str
    as_of: date
    rights: list[RightOut]
    expiring_soon: list[ExpiringOut] = Field(
        default_factory=list,
        description="rights still holding something whose period ends within "
        "LLR_EXPIRING_DAYS (30) of asOf: what the citizen can still miss",
    )
    entitlements: list[EntitlementOut]
    referrals: list[ReferralOut]
    facts_version: int | None = None
    rules_version: str | None = None


class DecisionOut(ApiModel):
    id: uuid.UUID
    incentive: str
    period: PeriodOut | None
    status: str
    entitlement: QuantityOut | None
    rules_version: str
    facts_version: int | None
    reasons: list[dict[str, object]]
    as_of: date
    created_at: str
    trace_id: str | None
    replayed: Literal["same", "different"] | None = Field(
        default=None,
        description="the rules run again on the decision's own facts version for its day: "
        "`same` status and entitlement, or `different`; absent without stored facts",
    )


@router.get(
    "/wallet/{ssin}",
    operation_id="getWallet",
    summary="A citizen's rights at a date: granted, reserved, used, expired, available",
    response_model=WalletOut,
    responses=problem_responses() | AUTH_RESPONSES,
)
async def get_wallet(
    ssin: SsinPath,
    as_of: AsOfDep,
    ledger: LedgerDep,
    keyer: KeyerDep,
    response: Response,
    settings: SettingsDep,
    reads: ReadsDep,
    principal: Annotated[Principal, Depends(require("llr:wallet:read"))],
    accept_language: Annotated[str | None, Header()] = None,
    known_at: Annotated[
        Instant | None,
        Query(
            alias="knownAt",
            description="Answer as the service would have at this instant (RFC 3339): the "
            "record and the facts as they stood then, nothing settled",
        ),
    ] = None,
) -> WalletOut:
    parsed = principal.check_citizen(ssin)
    citizen = CitizenRef(parsed, keyer.key(parsed))
    language = pick_language(accept_language)
    access = principal.access(citizen.key, "wallet.read")
    # a wallet for another day or at a past instant settles nothing: the replica may answer it
    async with reads.session(stale_ok=as_of != ledger.today or known_at is not None) as session:
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
            settings.expiring_days,
        )
    if on_replica:
        await record_access(ledger.session, principal, citizen.key, access.action, access.endpoint)
    response.headers["Content-Language"] = effective_language(language)
    rights = []
    for right in view.rights:
        money = BalanceOut.of(right.balances)
        rights.append(
            RightOut(
                incentive=right.incentive,
                pillar=right.pillar,
                unit=right.balances.unit.value,
                period=PeriodOut.of(right.period),
                granted=money.granted,
                carried_in=money.carried_in,
                reserved=money.reserved,
                used=money.used,
                expired=money.expired,
                available=money.available,
                expires_on=right.period.end,
                status=right.status,
                decision_id=right.decision_id,
            )
        )
    return WalletOut(
        ssin=parsed.value,
        as_of=view.as_of,
        rights=rights,
        expiring_soon=[
            ExpiringOut(
                incentive=r.incentive,
                period=r.period.key,
                available=QuantityOut.of(
                    Quantity.from_minor(r.balances.available, r.balances.unit)
                ),
                expires_on=r.period.end,
                days_left=(r.period.end - view.as_of).days,
            )
            for r in view.expiring_soon
        ],
        entitlements=[
            EntitlementOut(
                incentive=e.incentive,
                status=e.status,
                monthly_amount=QuantityOut.of(e.monthly_amount) if e.monthly_amount else None,
                missing_facts=e.missing_facts,
            )
            for e in view.entitlements
        ],
        referrals=[ReferralOut(code=r.code, message=r.message, url=r.url) for r in view.referrals],
        facts_version=view.facts_version,
        rules_version=view.rules_version,
    )


@router.get(
    "/decisions/{decisionId}",
    operation_id="getDecision",
    summary="The receipt of a decision: rules version, facts version and reasons",
    response_model=DecisionOut,
    responses=problem_responses(404) | AUTH_RESPONSES,
)
async def get_decision(
    decision_id: Annotated[uuid.UUID, Path(alias="decisionId")],
    session: SessionDep,
    vault: VaultDep,
    principal: Annotated[Principal, Depends(require("llr:audit:read"))],
) -> DecisionOut:
    found = await decision(session, vault, decision_id)
    if found is None:
        raise NotFound(f"no decision {decision_id}")
    principal.check_citizen_key(found.citizen_key)
    await record_access(session, principal, found.citizen_key, "decision.read", principal.endpoint)
    return DecisionOut(
        id=found.id,
        incentive=found.incentive,
        period=PeriodOut.of(found.period) if found.period else None,
        status=found.status,
        entitlement=QuantityOut.of(found.entitlement) if found.entitlement else None,
        rules_version=found.rules_version,
        facts_version=found.facts_version,
        reasons=found.reasons,
        as_of=found.as_of,
        created_at=found.created_at.isoformat(),
        trace_id=found.trace_id,
        replayed=found.replayed,
    )
