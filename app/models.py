"""Imports every table module so ``Base.metadata`` knows them all (for Alembic)."""

from app.domain.rules import tables as rules_tables  # noqa: F401
