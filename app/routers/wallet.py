"""GET /wallet/{ssin}: a citizen's rights at a date, in both pillars; GET /decisions/{id}: the
receipt a grant came from."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Path, Response
from pydantic import Field

from app.deps import ActorDep, AsOfDep, KeyerDep, LedgerDep, SessionDep
from app.domain.errors import InvalidInput, NotFound
from app.domain.identity import InvalidSsin, parse_ssin
from app.domain.ledger.ports import CitizenRef
from app.domain.rules import pick_language
from app.domain.rules.messages import effective_language
from app.domain.wallet import decision, wallet
from app.routers.problem_docs import problem_responses
from app.routers.transaction_models import BalanceOut
from app.schemas import ApiModel
from app.wire import PeriodOut, QuantityOut

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


class WalletOut(ApiModel):
    ssin: str
    as_of: date
    rights: list[RightOut]
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


SsinPath = Annotated[str, Path(description="SSIN (INSZ), punctuation allowed",
                               examples=["85073003328"])]  # fmt: skip


@router.get(
    "/wallet/{ssin}",
    operation_id="getWallet",
    summary="A citizen's rights at a date: granted, reserved, used, expired, available",
    response_model=WalletOut,
    responses=problem_responses(),
)
async def get_wallet(
    ssin: SsinPath,
    as_of: AsOfDep,
    ledger: LedgerDep,
    actor: ActorDep,
    keyer: KeyerDep,
    response: Response,
    accept_language: Annotated[str | None, Header()] = None,
) -> WalletOut:
    try:
        parsed = parse_ssin(ssin)
    except InvalidSsin as exc:
        raise InvalidInput("ssin", ssin, str(exc), "path") from exc
    language = pick_language(accept_language)
    view = await wallet(ledger, actor, CitizenRef(parsed, keyer.key(parsed)), as_of, language)
    response.headers["Content-Language"] = effective_language(language)
    rights = []
    for right in view.rights:
        money = BalanceOut.of(right.balances)
        rights.append(RightOut(
            incentive=right.incentive, pillar=right.pillar, unit=right.balances.unit.value,
            period=PeriodOut.of(right.period), granted=money.granted,
            carried_in=money.carried_in, reserved=money.reserved, used=money.used,
            expired=money.expired, available=money.available, expires_on=right.period.end,
            status=right.status, decision_id=right.decision_id,
        ))  # fmt: skip
    return WalletOut(
        ssin=parsed.value, as_of=view.as_of, rights=rights,
        entitlements=[EntitlementOut(
            incentive=e.incentive, status=e.status,
            monthly_amount=QuantityOut.of(e.monthly_amount) if e.monthly_amount else None,
            missing_facts=e.missing_facts) for e in view.entitlements],
        referrals=[ReferralOut(code=r.code, message=r.message, url=r.url) for r in view.referrals],
        facts_version=view.facts_version, rules_version=view.rules_version,
    )  # fmt: skip


@router.get(
    "/decisions/{decisionId}",
    operation_id="getDecision",
    summary="The receipt of a decision: rules version, facts version and reasons",
    response_model=DecisionOut,
    responses=problem_responses(404),
)
async def get_decision(
    decision_id: Annotated[uuid.UUID, Path(alias="decisionId")], session: SessionDep
) -> DecisionOut:
    found = await decision(session, decision_id)
    if found is None:
        raise NotFound(f"no decision {decision_id}")
    return DecisionOut(
        id=found.id, incentive=found.incentive,
        period=PeriodOut.of(found.period) if found.period else None, status=found.status,
        entitlement=QuantityOut.of(found.entitlement) if found.entitlement else None,
        rules_version=found.rules_version, facts_version=found.facts_version,
        reasons=found.reasons, as_of=found.as_of, created_at=found.created_at.isoformat(),
        trace_id=found.trace_id,
    )  # fmt: skip
