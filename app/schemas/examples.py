"""Examples the OpenAPI document shows and Swagger UI's Try-it-out sends: one copy, so every
operation shows the same citizen and the same facts, and trying them succeeds once that
citizen's facts are declared (``PUT /citizens/{ssin}/facts``'s own example, as in the README's
"A call per door")."""

from typing import Any

from app.schemas.common import EXAMPLE_SSIN

__all__ = ["EXAMPLE_FACTS", "EXAMPLE_SSIN"]

EXAMPLE_FACTS: dict[str, Any] = {
    "status": "employee",
    "sector": "private",
    "workplaceRegion": "flanders",
    "residenceRegion": "flanders",
    "employmentFraction": "0.80",
    "weeklyHours": "30.40",
    "educationLevel": "medium",
    "workExperienceMonths": 120,
    "careerGuidanceCompletedOn": "2024-02-10",
    "careerVouchersUsed": 0,
    "employerFte": "45",
    "receivesUnemploymentBenefit": False,
    "contractType": "regular",
    "agencyWorker": False,
    "sideSelfEmployed": False,
    "livesAlone": False,
    "timeCredit": {"regime": "full", "motive": "training", "priorYearWorkFraction": "1.00"},
}
