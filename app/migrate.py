"""Applies the Alembic migrations programmatically (``llr migrate``, ``llr serve``, tests)."""

from pathlib import Path

from alembic import command
from alembic.config import Config


def _root() -> Path:
    """The folder holding alembic.ini and migrations/: the source tree, or the working directory
    of an installed copy (the container image runs from /srv)."""
    for candidate in (Path(__file__).resolve().parent.parent, Path.cwd()):
        if (candidate / "alembic.ini").exists():
            return candidate
    raise RuntimeError("alembic.ini not found next to the app package or in the working directory")


def alembic_config(url: str) -> Config:
    root = _root()
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
