"""Bulk reads and writes that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Select, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignoring_duplicates(
    connection: Connection, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """INSERT ... ON CONFLICT DO NOTHING for many rows in one executemany."""
    if not rows:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(dialect.insert(table).on_conflict_do_nothing(), list(rows))


def bulk_insert(
    connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]],
    encoded: Collection[str] = (),
) -> int:
    """Insert many rows (tuples in ``columns`` order) through the driver's executemany.

    SQLAlchemy's Core insert spends most of its time per row per parameter; here only the
    columns whose type converts values (timestamps, JSON) go through their bind processors,
    and only when the batch has a value to convert. ``encoded`` names columns whose values
    are already in the driver's form (JSON text, say). Rows that would break a unique
    constraint are skipped (ON CONFLICT DO NOTHING); returns how many went in.
    """
    if not rows:
        return 0
    dialect = connection.dialect
    converting = []
    for index, name in enumerate(columns):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None and name not in encoded and any(row[index] is not None for row in rows):
            converting.append((index, process))
    if converting:
        rows = [_converted(row, converting) for row in rows]
    placeholder = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([placeholder] * len(columns))}) ON CONFLICT DO NOTHING"
    )
    return int(connection.exec_driver_sql(sql, rows).rowcount)  # type: ignore[arg-type]


def _converted(row: Sequence[Any], converting: list[tuple[int, Callable[[Any], Any]]]) -> tuple[Any, ...]:
    record = list(row)
    for index, process in converting:
        if record[index] is not None:
            record[index] = process(record[index])
    return tuple(record)


def stream_rows(connection: Connection, query: Select[Any], size: int) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of ``query`` straight from the driver, ``size`` at a time, as plain tuples.

    For scans of a million rows: SQLAlchemy's Row objects and result processing cost more
    than the query itself. Only for columns that need no result conversion (ints, text).
    """
    compiled = query.compile(connection)
    params: Any = compiled.params
    if compiled.positiontup is not None:
        params = tuple(params[name] for name in compiled.positiontup)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()
