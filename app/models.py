"""Imports every table module so ``Base.metadata`` knows them all (for Alembic)."""

from app.domain.access import log as access_tables  # noqa: F401
from app.domain.federal import tables as federal_tables  # noqa: F401
from app.domain.ledger import tables as ledger_tables  # noqa: F401
from app.domain.rules import tables as rules_tables  # noqa: F401
from app.domain.simulation import tables as simulation_tables  # noqa: F401
from app.domain.statistics import tables as statistics_tables  # noqa: F401
from app.domain.webhooks import tables as webhook_tables  # noqa: F401
