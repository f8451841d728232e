"""Imports every table module so ``Base.metadata`` knows them all (for Alembic)."""
