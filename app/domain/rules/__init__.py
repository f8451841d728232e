"""The rules engine: facts, dated parameters, one module per incentive, three-valued answers.

The public interface other parts of the service (the wallet, the ledger) code against."""

from app.domain.rules.checks import Status
from app.domain.rules.engine import (
    INCENTIVES,
    RULES,
    IncentiveCode,
    UnknownIncentive,
    carry_over_cap,
    carry_over_validity,
    evaluate,
    funding_shares,
    pauses_when_not_eligible,
    validated_book,
)
from app.domain.rules.facts import Facts, TimeCredit
from app.domain.rules.facts_store import (
    StoredFacts,
    facts_valid_on,
    facts_version,
    latest_facts,
    record_facts,
)
from app.domain.rules.messages import pick_language
from app.domain.rules.model import (
    Evaluation,
    IncentiveDefinition,
    IncentiveResult,
    Pillar,
    Reason,
    Referral,
    TrainingVerdict,
)
from app.domain.rules.reference import reference_date
from app.domain.rules.training import TrainingInfo, TrainingKind
from app.domain.rules.training_store import find_training

__all__ = [
    "INCENTIVES",
    "RULES",
    "Evaluation",
    "Facts",
    "IncentiveCode",
    "IncentiveDefinition",
    "IncentiveResult",
    "Pillar",
    "Reason",
    "Referral",
    "Status",
    "StoredFacts",
    "TimeCredit",
    "TrainingInfo",
    "TrainingKind",
    "TrainingVerdict",
    "UnknownIncentive",
    "carry_over_cap",
    "carry_over_validity",
    "evaluate",
    "facts_valid_on",
    "facts_version",
    "find_training",
    "funding_shares",
    "latest_facts",
    "pauses_when_not_eligible",
    "pick_language",
    "record_facts",
    "reference_date",
    "validated_book",
]
