"""The engine: facts + a day (+ a training) -> one three-valued answer per incentive, with the
reasons checked and the facts still missing. Pure: no database, no clock."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Literal, get_args

from app.domain.quantities import Quantity
from app.domain.rules.checks import Check, Status, outcome
from app.domain.rules.facts import Facts
from app.domain.rules.incentives import (
    loopbaancheques,
    opleidingscheques,
    opleidingsrecht,
    vok,
    vov,
    zorgkrediet,
)
from app.domain.rules.messages import DEFAULT_LANGUAGE, message
from app.domain.rules.model import (
    Context,
    Evaluation,
    Grant,
    IncentiveDefinition,
    IncentiveResult,
    Reason,
    Rule,
    TrainingVerdict,
)
from app.domain.rules.parameters import IncentiveParameters, ParameterBook, default_book, require
from app.domain.rules.questions import questions
from app.domain.rules.referrals import referrals
from app.domain.rules.training import TrainingInfo

RULES: Mapping[str, Rule] = {
    rule.definition.code: rule
    for rule in (
        opleidingscheques.RULE,
        vov.RULE,
        vok.RULE,
        zorgkrediet.RULE,
        loopbaancheques.RULE,
        opleidingsrecht.RULE,
    )
}
INCENTIVES: Mapping[str, IncentiveDefinition] = {c: r.definition for c, r in RULES.items()}
IncentiveCode = Literal[
    "opleidingscheques", "vov", "vok", "zorgkrediet", "loopbaancheques", "opleidingsrecht"
]
"""The codes as a type, for request schemas; kept equal to ``RULES`` by the assertion below."""
assert set(get_args(IncentiveCode)) == set(RULES), "IncentiveCode and RULES differ"


@cache
def validated_book() -> ParameterBook:
    """The parameter book, checked against what every rule reads (fails loudly at start-up)."""
    book = default_book()
    require(book, {code: rule.parameters for code, rule in RULES.items()})
    return book


validated_book()  # at import, i.e. at start-up: a bad parameter file stops the service


class UnknownIncentive(ValueError):
    pass


def evaluate(
    facts: Facts,
    as_of: date,
    *,
    incentives: Sequence[str] | None = None,
    training: TrainingInfo | None = None,
    language: str = DEFAULT_LANGUAGE,
    facts_by_incentive: Mapping[str, Facts] | None = None,
    book: ParameterBook | None = None,
) -> Evaluation:
    """``facts_by_incentive`` gives an incentive other facts than ``facts`` (those valid on its
    reference date); referrals read ``facts``. ``book``: other parameters than the law's (a
    simulated reform, ``app.domain.simulation``); the rules are the same."""
    book = book or validated_book()
    own = facts_by_incentive or {}
    codes = _codes(incentives)
    results = [
        evaluate_one(RULES[code], book[code], own.get(code, facts), as_of, training, language)
        for code in codes
    ]
    return Evaluation(
        as_of,
        book.rules_version(as_of),
        results,
        referrals(facts, results, language),
        questions(results, language),
    )


def _codes(incentives: Sequence[str] | None) -> list[str]:
    codes = list(incentives) if incentives else list(RULES)
    for code in codes:
        if code not in RULES:
            raise UnknownIncentive(code)
    return codes


@dataclass(frozen=True, slots=True)
class Decision:
    """What ``evaluate`` answers for one incentive, without the reasons' texts: the lean
    answer the bulk paths (simulation) need, from the same rule functions."""

    incentive: str
    status: Status
    entitlement: Quantity | None
    monthly_amount: Quantity | None


def decide(facts: Facts, as_of: date, code: str, book: ParameterBook | None = None) -> Decision:
    """One incentive's status and entitlement on ``facts`` (no training), as ``evaluate``
    answers them (``_decided`` is the one path of both), rendering no messages."""
    book = book or validated_book()
    params = book[_codes([code])[0]]
    if as_of < params.in_force_from:
        return Decision(code, "notModelled", None, None)
    _, status, _, granted, _ = _decided(RULES[code], params, facts, as_of, None)
    return Decision(code, status, granted.entitlement, granted.monthly_amount)


def _decided(
    rule: Rule,
    params: IncentiveParameters,
    facts: Facts,
    as_of: date,
    training: TrainingInfo | None,
) -> tuple[Context, Status, list[str], Grant, list[Check]]:
    """The conditions, the status, the facts still missing, the grant, and every check made."""
    ctx = Context(facts, as_of, params, training)
    checks = rule.conditions(ctx)
    status, missing = outcome(checks)
    granted = rule.grant(ctx) if status == "eligible" else Grant()
    if status == "eligible":
        _, missing = outcome(c for c in granted.checks if c.passed is None)
    return ctx, status, missing, granted, [*checks, *granted.checks]


def _reasons(checks: Sequence[Check], params: IncentiveParameters, language: str) -> list[Reason]:
    return [
        Reason(c.code, c.passed, message("reasons", c.code, language, c.args), params.legal_basis)
        for c in checks
    ]


def _not_in_force(
    rule: Rule, params: IncentiveParameters, as_of: date, lang: str
) -> IncentiveResult:
    check = Check("inForce", False, (), {"asOf": as_of, "from": params.in_force_from})
    definition = rule.definition
    return IncentiveResult(
        definition.code,
        definition.pillar,
        "notModelled",
        None,
        None,
        None,
        _reasons([check], params, lang),
        [],
        not_modelled_before=params.in_force_from,
    )


def evaluate_one(
    rule: Rule,
    params: IncentiveParameters,
    facts: Facts,
    as_of: date,
    training: TrainingInfo | None,
    language: str,
) -> IncentiveResult:
    if as_of < params.in_force_from:
        return _not_in_force(rule, params, as_of, language)
    ctx, status, missing, granted, checks = _decided(rule, params, facts, as_of, training)
    notes = [Check("employerProposedBucket", True)] if granted.employer_proposed else []
    verdict = None
    if training is not None and rule.training is not None and status != "notEligible":
        verdict = _training_verdict(rule, ctx, granted, params, language)
    definition = rule.definition
    return IncentiveResult(
        incentive=definition.code,
        pillar=definition.pillar,
        status=status,
        entitlement=granted.entitlement,
        period=definition.period_for(as_of),
        monthly_amount=granted.monthly_amount,
        reasons=_reasons([*checks, *notes], params, language),
        missing_facts=missing,
        training=verdict,
        employer_proposed_entitlement=granted.employer_proposed,
    )


_COVERED: Mapping[Status, bool | None] = {
    "eligible": True,
    "notEligible": False,
    "undetermined": None,
}


def _training_verdict(
    rule: Rule, ctx: Context, granted: Grant, params: IncentiveParameters, language: str
) -> TrainingVerdict:
    assert rule.training is not None
    draft = rule.training(ctx, granted)
    status, missing = outcome(draft.checks)
    covered = _COVERED[status]
    consumes = draft.consumes if covered is not False else None
    return TrainingVerdict(covered, consumes, _reasons(draft.checks, params, language), missing)


def funding_shares(
    code: str,
    as_of: date,
    training: TrainingInfo | None = None,
    book: ParameterBook | None = None,
) -> dict[str, Decimal]:
    """Who pays what share of a money right; empty for time rights."""
    definition = INCENTIVES[code]
    if definition.pillar == "time":
        return {}
    if code == opleidingscheques.CODE:
        ctx = Context(Facts(), as_of, (book or default_book())[code], training)
        share = opleidingscheques.citizen_share(ctx)
        return {"citizen": share, "government": Decimal(1) - share}
    return {"government": Decimal(1)}


def carry_over_cap(code: str, as_of: date, book: ParameterBook | None = None) -> Decimal:
    """How much of an unused balance carries into the next period (0 = use it or lose it),
    under ``book`` (default: the law's; a simulation passes a reform's)."""
    params = (book or default_book())[code]
    if as_of < params.in_force_from:
        return Decimal(0)
    return params.decimal("carryOverCap", as_of)


def pauses_when_not_eligible(code: str, as_of: date) -> bool:
    """Whether a citizen who stops being eligible keeps the saved balance usable (the account
    pauses: no new rights) instead of losing what is still available."""
    params = default_book()[code]
    if as_of < params.in_force_from:
        return False
    return params.flag("pauseWhenNotEligible", as_of)


def carry_over_validity(code: str, as_of: date, book: ParameterBook | None = None) -> int:
    """How many periods after its own a carried balance stays usable (under ``book``)."""
    params = (book or default_book())[code]
    if as_of < params.in_force_from:
        return 1
    return params.integer("carryOverValidity", as_of)
