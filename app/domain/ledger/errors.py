"""What the ledger refuses, in domain terms (``app/problem_types.py`` maps each to its problem)."""

from app.domain.errors import DomainError, NotFound


class LedgerError(DomainError):
    """Base of the ledger's refusals: each leaves the ledger unchanged."""


class NotEntitled(LedgerError):
    """The citizen holds no right to this incentive for that period."""


class InsufficientBalance(LedgerError):
    """The available balance is smaller than the amount asked for."""


class TrainingNotEligible(LedgerError):
    """The incentive does not cover this training."""


class HoldNotPending(LedgerError):
    """The hold was already captured, released or expired."""


class HoldExpired(LedgerError):
    """The hold passed its expiry instant: it can no longer be captured."""


class CaptureExceedsHold(LedgerError):
    """A capture may take at most what the hold reserved."""


class AlreadyReversed(LedgerError):
    """A transaction is reversed at most once."""


class NotReversible(LedgerError):
    """This kind of transaction is undone another way (a hold is released, not reversed)."""


class UnitMismatch(LedgerError):
    """The amount's unit is not the incentive's unit."""


class TransactionNotFound(NotFound):
    pass


class IdempotencyKeyReused(LedgerError):
    """The same Idempotency-Key came with another request body."""


class IdempotencyInFlight(LedgerError):
    """A request with this Idempotency-Key is still being processed."""
