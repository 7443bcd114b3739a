"""PostgreSQL-only tests get the session server from tests/postgres/fixtures.py."""

from tests.postgres.fixtures import db_engine, db_url, postgres_server  # noqa: F401
