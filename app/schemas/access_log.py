"""Response body of ``GET /wallet/{ssin}/accessLog``."""

from datetime import datetime

from pydantic import Field

from app.domain.access.log import AccessEntry, AccessPage
from app.schemas.base import ApiModel
from app.schemas.common import next_field


class AccessEntryOut(ApiModel):
    """One look at, or one act on, a citizen's record."""

    at: datetime = Field(description="RFC 3339 instant")
    partner: str = Field(description="The partner (client id) that called", examples=["vdab"])
    action: str = Field(examples=["wallet.read"])
    endpoint: str = Field(examples=["GET /wallet/{ssin}"])
    trace_id: str | None = Field(description="The request's BelGov-Trace-Id")

    @classmethod
    def of(cls, entry: AccessEntry) -> "AccessEntryOut":
        return cls(
            at=entry.at,
            partner=entry.partner,
            action=entry.action,
            endpoint=entry.endpoint,
            trace_id=entry.trace_id,
        )


class AccessLogPage(ApiModel):
    """A page of the access log, newest first."""

    items: list[AccessEntryOut]
    next: str | None = next_field()

    @classmethod
    def of(cls, page: AccessPage, following: str | None) -> "AccessLogPage":
        return cls(items=[AccessEntryOut.of(e) for e in page.items], next=following)
