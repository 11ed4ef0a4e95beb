"""Bringing a database's schema up to date with Alembic, from code (no alembic.ini to find)."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def _config(connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Step the schema back to `revision` (each step's downgrade; data a step added is lost)."""
    with engine.begin() as connection:
        command.downgrade(_config(connection), revision)


def autogenerate(engine: Engine, message: str) -> None:
    """For developers: write a new revision from the difference between tables.py and the database."""
    with engine.begin() as connection:
        command.revision(_config(connection), message=message, autogenerate=True)
