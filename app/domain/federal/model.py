"""What the service knows of the federal learning account (FLA), whatever client reads it: its
accounts and its change feed. The adapter (``app/adapters/federal.py``) makes these from the
federal API's answers; the sync and the reconciliation use only these."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from app.domain.identity import Ssin
from app.domain.quantities import Quantity


@dataclass(frozen=True, slots=True)
class FederalAccount:
    """One citizen's federal training right in one window, as the federal account holds it."""

    ssin: Ssin
    window: str
    """The window's key, ``2024-2028``."""
    version: int
    """Grows with every change the federal side makes to the account."""
    changed_at: datetime
    accruals: dict[int, Quantity]
    """Days accrued per year of the window."""
    used: Quantity
    balance: Quantity


@dataclass(frozen=True, slots=True)
class Change:
    change_id: str
    """The federal side's id of the change: stable, so a posting made from it is made once."""
    account: FederalAccount


@dataclass(frozen=True, slots=True)
class ChangePage:
    changes: list[Change]
    cursor: str
    """Where the feed goes on after this page (also after the last one: the next sync's start)."""
    more: bool


class FederalUnavailable(Exception):
    """The federal account could not be reached or kept failing (after retries), or its
    circuit is open."""


class FederalProblem(Exception):
    """The federal account refused the request (a problem answer that retrying cannot fix)."""

    def __init__(self, status: int, problem_type: str, detail: str) -> None:
        super().__init__(f"{status} {problem_type}: {detail}")
        self.status, self.problem_type, self.detail = status, problem_type, detail


class FederalFeed(Protocol):
    async def changes(self, since: date | None, cursor: str | None, limit: int) -> ChangePage:
        """One page of the change feed: after ``cursor``, or from ``since`` (None: the start)."""
        ...

    async def account(self, ssin: Ssin) -> FederalAccount | None:
        """One citizen's current account (None: the federal side has none)."""
        ...
