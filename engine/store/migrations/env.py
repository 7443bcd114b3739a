"""Alembic environment: runs migrations on the connection `engine.store.db.migrate` passes in."""

from alembic import context
from sqlmodel import SQLModel

import engine.store.models  # noqa: F401  (registers every table on the metadata)
from engine.store.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def _run(connection: object) -> None:
    # Batch mode lets later migrations ALTER tables on SQLite (which rebuilds them).
    context.configure(
        connection=connection, target_metadata=target_metadata, render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as new_connection:
        _run(new_connection)
    engine.dispose()
