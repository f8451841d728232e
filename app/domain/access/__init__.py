"""Who may do what: the partner registry, the principal a request acts as, and the access log.

The public API for endpoints (see also ``app/auth.py`` for the FastAPI dependencies):

- ``Principal``: the authenticated caller (partner, effective scopes, the citizen a citizen-bound
  token is bound to). ``principal.require(scope)``, ``principal.check_citizen(ssin)``,
  ``principal.check_citizen_key(key)``, ``principal.check_posting(type, incentive)`` raise
  ``MissingScope`` / ``MissingPermission`` (403); ``principal.actor`` is the ledger's ``Actor``.
- ``record_access(session, who, citizen_key, action, endpoint)``: appends to the access log in the
  request's own database transaction (call it on every wallet read, facts read or write and
  transaction, also when nothing changes); ``record_accesses`` for an answer that shows several
  citizens (one row each).
"""

from app.domain.access.log import record_access, record_accesses
from app.domain.access.principal import MissingPermission, MissingScope, Principal

__all__ = ["MissingPermission", "MissingScope", "Principal", "record_access", "record_accesses"]
