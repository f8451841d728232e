"""Response body of ``GET /health`` (Belgif health: UP, DEGRADED or DOWN, with details)."""

from typing import Literal

from pydantic import Field

from app.schemas.base import ApiModel

HealthStatus = Literal["UP", "DEGRADED", "DOWN"]


class ComponentHealth(ApiModel):
    """One component the service depends on."""

    status: HealthStatus
    details: dict[str, str | int | float] | None = Field(
        default=None,
        description="What was measured: `latencyMs` of the database, the pool's "
        "`checkedOut`, `size` and `maxOverflow`",
    )


class Health(ApiModel):
    """`UP`: everything answers; `DEGRADED`: the service answers but a component is slow or
    near its limit; `DOWN` (503): the database does not answer."""

    status: HealthStatus
    details: dict[str, ComponentHealth] | None = Field(
        default=None,
        description="Per component: `database`, `connectionPool`",
        examples=[{"database": {"status": "UP", "details": {"latencyMs": 1.2}}}],
    )
