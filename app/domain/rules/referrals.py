"""Referrals: "no wrong door" answers for whoever is not entitled here (incentives.md §3.7)."""

from collections.abc import Sequence

from app.domain.rules.facts import Facts, Sector, Status, WorkplaceRegion
from app.domain.rules.messages import message, referral_url
from app.domain.rules.model import IncentiveResult, Referral

_FEDERAL_REGIONS = frozenset({WorkplaceRegion.BRUSSELS, WorkplaceRegion.WALLONIA})
_FLEMISH_PUBLIC = frozenset({Sector.FLEMISH_PUBLIC, Sector.LOCAL_PUBLIC})


def referral_codes(facts: Facts, results: Sequence[IncentiveResult]) -> list[str]:
    codes = []
    if facts.status is Status.JOBSEEKER or facts.receives_unemployment_benefit:
        codes.append("vdabTrainingOffer")
    if facts.workplace_region in _FEDERAL_REGIONS and facts.status is not Status.SELF_EMPLOYED:
        codes.append("federalEducationalLeave")
    if facts.status is Status.SELF_EMPLOYED:
        codes.append("kmoPortefeuille")
    if facts.sector in _FLEMISH_PUBLIC:
        codes.append("vlaamsZorgkrediet")
    if not any(r.status == "eligible" for r in results):
        codes.append("careerGuidance")
    return codes


def referrals(facts: Facts, results: Sequence[IncentiveResult], language: str) -> list[Referral]:
    return [
        Referral(code, message("referrals", code, language, {}), referral_url(code))
        for code in referral_codes(facts, results)
    ]
