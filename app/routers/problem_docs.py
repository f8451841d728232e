"""How problems look in the OpenAPI document: the Belgif shape, instead of FastAPI's 422."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ProblemIssue(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    type: str = Field(examples=["urn:problem-type:belgif:input-validation:invalidInput"])
    in_: str = Field(alias="in", examples=["body"])
    name: str = Field(examples=["facts.employmentFraction"])
    value: Any = None
    detail: str


class Problem(BaseModel):
    """application/problem+json (RFC 9457) in the Belgif shape."""

    type: str = Field(examples=["urn:problem-type:belgif:badRequest"])
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    issues: list[ProblemIssue] | None = None


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """400 (input, with ``issues``) and any other listed status, plus a default problem; the
    default also keeps FastAPI from documenting a 422 the service never sends."""
    described = {
        400: "Bad input: each issue names the field (`in`, `name`, `value`, `detail`)",
        404: "Not found",
    }
    responses: dict[int | str, dict[str, Any]] = {
        status: {"model": Problem, "description": described.get(status, "Problem")}
        for status in (400, *statuses)
    }
    responses["default"] = {"model": Problem, "description": "Any other problem (5xx, 413...)"}
    return responses


PROBLEM_REF = "#/components/schemas/Problem"


def as_problem_json(spec: dict[str, Any]) -> dict[str, Any]:
    """FastAPI documents every response model as ``application/json``; problems are sent as
    ``application/problem+json``, so that is what the document must say."""
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                plain = content.get("application/json")
                if plain is not None and plain.get("schema", {}).get("$ref") == PROBLEM_REF:
                    content["application/problem+json"] = content.pop("application/json")
    return spec
