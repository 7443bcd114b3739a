"""Recording tests run on SQLite and on a real PostgreSQL server (tests/postgres/fixtures.py)."""

from tests.postgres.fixtures import db_engine, db_url, postgres_server  # noqa: F401
