"""The document says what the service sends: problems as application/problem+json, input errors
as 400 (never FastAPI's 422 validation shape)."""

import json

from app.cli import openapi_text


def test_problems_are_documented_as_problem_json_and_input_errors_as_400() -> None:
    spec = json.loads(openapi_text())
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        if path in ("/health", "/metrics"):
            continue  # {"status": "DOWN"} is the health check's own answer, not a problem
        for method, operation in operations.items():
            responses = operation["responses"]
            for status, response in responses.items():
                content = response.get("content", {})
                if status.startswith(("4", "5")) or status == "default":
                    assert "application/json" not in content, (method, path, status)
            assert "400" in responses, (method, path)
            assert "application/problem+json" in responses["400"]["content"]
