"""The base of request and response bodies (the domain's facts and trainings share it)."""

from app.domain.camel import CamelModel


class ApiModel(CamelModel):
    """A request or response body."""
