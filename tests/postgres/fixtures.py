"""Fixtures that run a store test on SQLite and on a real PostgreSQL server.

Test packages import ``postgres_server`` and ``db_url`` into their conftest; ``db_url`` is
parametrised, and its PostgreSQL case carries the ``postgres`` mark so ``-m "not postgres"``
keeps the unit run free of servers.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from sqlalchemy import Engine

from engine.store.db import make_engine, migrate
from tests.postgres.server import PostgresServer, running_postgres, unavailable_reason

TEMPLATE_DB = "phonebank_template"
_database_numbers = itertools.count()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One server for the whole session, with a migrated template database to clone."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    with running_postgres() as server:
        _create_database(server, TEMPLATE_DB)
        migrate(server.url(TEMPLATE_DB))
        yield server


def _create_database(server: PostgresServer, name: str, template: str | None = None) -> None:
    clause = f" TEMPLATE {template}" if template else ""
    with psycopg.connect(
        host=server.host, port=server.port, user=server.user, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f"CREATE DATABASE {name}{clause}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated, empty database: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'phonebank.db'}"
        migrate(url)
        return url
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"phonebank_test_{next(_database_numbers)}"
    _create_database(server, name, template=TEMPLATE_DB)
    return server.url(name)


@pytest.fixture
def db_engine(db_url: str) -> Iterator[Engine]:
    """An engine on ``db_url``, disposed after the test."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()
