"""An access-log row as the write path carries it: appended in the same statement as the
posting's or the read's own work (see ``app.domain.access.log`` for the log itself)."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Access:
    partner: str
    citizen_key: str
    action: str
    endpoint: str
    trace_id: str | None
    citizen_bound: bool
