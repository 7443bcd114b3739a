"""Bulk writes that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_duplicates(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """INSERT ... ON CONFLICT DO NOTHING for many rows in one executemany."""
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(dialect.insert(table).on_conflict_do_nothing(), list(rows))


def bulk_insert(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Insert many rows straight through the driver's executemany, skipping conflicting ones.

    SQLAlchemy's Core insert spends most of its time per row per parameter; here only the
    columns whose type converts values (timestamps, JSON) go through their bind processors,
    and the rest pass as they are. All rows must have the same keys. Rows that would break
    a unique constraint are skipped (ON CONFLICT DO NOTHING); returns how many went in.
    """
    if not rows:
        return 0
    dialect = connection.dialect
    names = list(rows[0])
    columns = [table.c[name] for name in names]
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    converting = [(i, p) for i, p in enumerate(processors) if p is not None]
    placeholder = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(names)}) "
        f"VALUES ({', '.join([placeholder] * len(names))}) ON CONFLICT DO NOTHING"
    )
    values = []
    for row in rows:
        record = [row[name] for name in names]
        for index, process in converting:
            record[index] = process(record[index])
        values.append(tuple(record))
    return int(connection.exec_driver_sql(sql, values).rowcount)
