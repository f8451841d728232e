"""The principal: who a request acts as, once its token has been verified and its partner looked
up. Endpoints ask it three questions: has the token this scope, may it see this citizen, may its
partner post this type for this incentive. Each "no" is a 403, never a 404: a citizen-bound token
asking for someone else learns nothing about whether that citizen exists."""

from dataclasses import dataclass, field

from app.domain.access.partners import ANY, PartnerPolicy
from app.domain.audit import Access
from app.domain.errors import DomainError, InvalidInput
from app.domain.identity import InvalidSsin, Ssin, parse_ssin
from app.domain.ledger.ports import Actor


class AccessDenied(DomainError):
    """The caller is known but may not do this (403)."""


class MissingScope(AccessDenied):
    """The token does not carry the scope the operation needs."""

    def __init__(self, scope: str) -> None:
        super().__init__(f"this operation needs the scope {scope}")
        self.problem_extra = {"requiredScopes": [scope]}


class MissingPermission(AccessDenied):
    """The scope is there, but the partner or the token may not act on this citizen or right."""


@dataclass(frozen=True, slots=True)
class Principal:
    """``scopes`` are the effective ones: carried by the token and registered for the partner.
    ``ssin``/``citizen_key`` are set for a citizen-bound token (one with an ``ssin`` claim)."""

    partner: str
    policy: PartnerPolicy
    scopes: frozenset[str]
    ssin: Ssin | None = None
    citizen_key: str | None = None
    trace_id: str | None = None
    endpoint: str = field(default="")

    @property
    def citizen_bound(self) -> bool:
        return self.ssin is not None

    @property
    def actor(self) -> Actor:
        """The ledger's view of the caller."""
        return Actor(partner=self.partner, trace_id=self.trace_id)

    def access(self, citizen_key: str, action: str) -> Access:
        """The access-log row of this principal's ``action`` on a citizen's record."""
        return Access(
            self.partner, citizen_key, action, self.endpoint, self.trace_id, self.citizen_bound
        )

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def require(self, *scopes: str) -> None:
        for scope in scopes:
            if scope not in self.scopes:
                raise MissingScope(scope)

    def check_citizen(self, ssin: Ssin | str, location: str = "path") -> Ssin:
        """The citizen as a validated SSIN, if this principal may act on them (an SSIN given
        as text that does not validate is a 400 naming ``location``)."""
        citizen = ssin if isinstance(ssin, Ssin) else _parse(ssin, location)
        if self.ssin is not None and citizen.value != self.ssin.value:
            raise MissingPermission("this token is bound to another citizen")
        return citizen

    def check_citizen_key(self, citizen_key: str | None) -> None:
        """The same check for a stored record, which knows its citizen by key only."""
        if self.citizen_key is not None and citizen_key != self.citizen_key:
            raise MissingPermission("this token is bound to another citizen")

    @property
    def readable_incentives(self) -> frozenset[str] | None:
        """The incentives whose transactions this principal may read, besides those it posted
        itself: ``None`` for all (a citizen's own token; a partner posting every incentive),
        else those it may post (the registry's data)."""
        if self.citizen_bound or self.policy.may_post_incentive(ANY):
            return None
        return self.policy.posting_incentives

    def check_reading(self, incentive: str, caller: str) -> None:
        """A transaction is read with ``llr:transactions:read`` (or, by the partner that posted
        it, with ``llr:transactions:write``: the ``Location`` of its 201), by a partner that
        posted it or may post its incentive."""
        own = caller == self.partner
        if not (self.has_scope(READ) or (own and self.has_scope(WRITE))):
            raise MissingScope(READ)
        readable = self.readable_incentives
        if not own and readable is not None and incentive not in readable:
            raise MissingPermission(f"{self.partner} may not read transactions of {incentive}")

    def check_posting(self, type_: str, incentive: str | None) -> None:
        if not self.policy.may_post(type_):
            raise MissingPermission(f"{self.partner} may not post {type_} transactions")
        if incentive is not None and not self.policy.may_post_incentive(incentive):
            raise MissingPermission(f"{self.partner} may not post transactions for {incentive}")


READ, WRITE = "llr:transactions:read", "llr:transactions:write"


def _parse(text: str, location: str) -> Ssin:
    try:
        return parse_ssin(text)
    except InvalidSsin as exc:
        # the value is not echoed: a mistyped SSIN is still personal data
        raise InvalidInput("ssin", None, str(exc), location) from exc
