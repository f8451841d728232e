"""Fuzzing from the contract: schemathesis generates requests from the committed
``openapi/openapi.json`` (valid and invalid ones) and sends them to the real server with a
Department token (every scope): no answer is a 5xx, and every answer is one the document
declares, with the declared content type and shape."""

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks as core_checks
from schemathesis.specs.openapi import checks as openapi_checks

from tests.auth_support import TestIssuer
from tests.faults.live import LiveServer

pytestmark = pytest.mark.faults

EXAMPLES = 60
"""Generated cases per operation: enough to find the shallow faults, bounded for CI."""

schema = schemathesis.openapi.from_path(
    Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
)
# Justified exclusion: query parameters the operation does not declare are ignored, as HTTP
# APIs usually do (the contract rejects unknown *body* properties, which is fuzzed).
schema.config.generation.update(allow_extra_parameters=False)

CHECKS = [
    core_checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.negative_data_rejection,
]


@pytest.fixture(scope="module")
def dwse_headers(issuer: TestIssuer) -> dict[str, str]:
    return issuer.headers("dwse")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_server_keeps_its_contract(
    case: schemathesis.Case, live: LiveServer, dwse_headers: dict[str, str]
) -> None:
    case.call_and_validate(
        base_url=live.base_url, headers=dwse_headers, checks=_checks(case), timeout=15
    )


def _checks(case: schemathesis.Case) -> list[object]:
    """Justified exclusion: a scalar query parameter mutated into an array of at most one item
    is sent as the scalar itself (or not at all), so the request on the wire is valid and its
    acceptance is no failure of negative-data rejection."""
    query = case.query or {}
    same_on_the_wire = any(isinstance(v, list) and len(v) <= 1 for v in query.values())
    if same_on_the_wire:
        return [c for c in CHECKS if c is not openapi_checks.negative_data_rejection]
    return CHECKS


def test_the_fuzzing_sends_negative_and_boundary_data() -> None:
    """Issue 10: schemathesis generates invalid data (negative mode) besides valid, and runs
    its coverage phase (boundary values of every constraint) on every operation."""
    from schemathesis import GenerationMode

    assert set(schema.config.generation.modes) == {GenerationMode.POSITIVE, GenerationMode.NEGATIVE}
    assert schema.config.phases.coverage.enabled
