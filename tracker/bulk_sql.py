"""Setting different values on many rows in one statement: UPDATE ... FROM (VALUES ...).

Django's `bulk_update` writes one CASE per column over every primary key, which costs time quadratic in
the rows to build and to run (seconds for the nightly jobs' ten thousand rows: a 365-day plan whose entries
all moved a day, the reminder dispatcher moving every due learner's next reminder on). An UPDATE joined to
the new values is linear: on PostgreSQL to `unnest` of one array per column, on SQLite (3.33+) to a VALUES
list; another database gets `bulk_update`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

# Rows per statement: at 5 parameters a row this stays under SQLite's and PostgreSQL's parameter limits.
CHUNK_PARAMETERS = 25_000


def _column_values(field: models.Field[Any, Any], values: Sequence[Any], db: BaseDatabaseWrapper) -> list[Any]:
    """The database's form of one column's values. A value repeated from the row before (the same `now` in
    every row) is converted once: a field's conversion costs microseconds, ten thousand of them milliseconds."""
    prep = field.get_db_prep_value
    converted: list[Any] = []
    last: object = object()
    last_prepped: Any = None
    for value in values:
        if value is not last:
            last, last_prepped = value, prep(value, db)
        converted.append(last_prepped)
    return converted


def update_from_values(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Sets `fields` of each row: `rows` are (pk, value of fields[0], value of fields[1], ...), in Python
    values (dates, datetimes, ids of foreign keys under the field's name). One statement (SQLite: one per
    chunk of rows)."""
    if not rows:
        return
    meta = model._meta
    columns: list[models.Field[Any, Any]] = []
    for name in fields:
        field = meta.get_field(name)
        if not isinstance(field, models.Field) or field.column is None:
            raise ValueError(f"{model.__name__}.{name} is not a column of its table.")
        columns.append(field)
    if connection.vendor not in ("postgresql", "sqlite"):
        objects = []
        for pk, *values in rows:
            obj = model(pk=pk)
            for field, value in zip(columns, values, strict=True):
                setattr(obj, field.attname, value)
            objects.append(obj)
        model._default_manager.bulk_update(objects, [field.name for field in columns])
        return
    db = connections[connection.alias]  # the wrapper itself: the proxy costs a lookup on every use
    qn = db.ops.quote_name
    table = qn(meta.db_table)
    pk_field = meta.pk
    assert pk_field is not None and pk_field.column is not None  # noqa: S101 (every model has one)
    typed = [pk_field, *columns]
    if db.vendor == "postgresql":
        _update_from_arrays(db, table, pk_field, columns, rows)
        return
    # SQLite names the columns of a VALUES list column1, column2, ...
    row_sql = "(" + ", ".join(["%s"] * len(typed)) + ")"
    alias = "v"
    refs = [f"v.column{n + 1}" for n in range(len(typed))]
    assignments = ", ".join(f"{qn(str(field.column))} = {ref}" for field, ref in zip(columns, refs[1:], strict=True))
    per_chunk = max(CHUNK_PARAMETERS // len(typed), 1)
    with db.cursor() as cursor:
        for start in range(0, len(rows), per_chunk):
            chunk = rows[start : start + per_chunk]
            by_column = [_column_values(field, [row[n] for row in chunk], db) for n, field in enumerate(typed)]
            params = [value for row in zip(*by_column, strict=True) for value in row]
            cursor.execute(
                f"UPDATE {table} SET {assignments} "  # noqa: S608 (names are the model's, values are parameters)
                f"FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS {alias} "
                f"WHERE {table}.{qn(pk_field.column)} = {refs[0]}",
                params,
            )


def _update_from_arrays(
    db: BaseDatabaseWrapper,
    table: str,
    pk_field: models.Field[Any, Any],
    columns: list[models.Field[Any, Any]],
    rows: Sequence[Sequence[Any]],
) -> None:
    """PostgreSQL: one array parameter per column, joined through unnest. A VALUES list of thousands of rows
    is tens of thousands of placeholders that the driver parses on every call (100 ms for a 365-day plan's
    3,650 moved entries); arrays are a handful of parameters whatever the rows."""
    qn = db.ops.quote_name
    typed = [pk_field, *columns]
    names = [f"v{n}" for n in range(len(typed))]
    arrays = [_column_values(field, [row[n] for row in rows], db) for n, field in enumerate(typed)]
    unnest = ", ".join(f"%s::{field.cast_db_type(db)}[]" for field in typed)
    assignments = ", ".join(
        f"{qn(str(field.column))} = v.{name}" for field, name in zip(columns, names[1:], strict=True)
    )
    with db.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM unnest({unnest}) AS v({', '.join(names)}) "  # noqa: S608 (names are the model's, values are parameters)
            f"WHERE {table}.{qn(str(pk_field.column))} = v.{names[0]}",
            arrays,
        )
