"""Single-table reads by equality, with their SQL built once per database vendor.

On this product's hot paths (API authentication, code lookup, the ledger's
row lock) the ORM's query compiler costs ten times what the database does
(docs/benchmarks.md). `fetch_one` builds `SELECT <every column> FROM <table>
WHERE a = ? AND b = ?` once from the model's metadata, runs it on the driver's
cursor of Django's own connection (inside or outside a transaction), converts
the values with the backend's own converters and returns the same model object
the ORM would, driver errors turned into Django's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

M = TypeVar("M", bound=Model)


@dataclass(frozen=True, slots=True)
class _Statement:
    sql: str
    attnames: list[str]
    converters: list[tuple[int, list[Any], Any]]


_statements: dict[tuple, _Statement] = {}


def _build(
    connection: BaseDatabaseWrapper, model: type[Model], where: tuple[str, ...], extra: str, lock
) -> _Statement:
    qn = connection.ops.quote_name
    mark = "?" if connection.vendor == "sqlite" else "%s"  # the driver's own paramstyle
    meta = model._meta
    fields = meta.concrete_fields
    conditions = [f"{qn(meta.get_field(name).column)} = {mark}" for name in where]
    if extra:
        conditions.append(extra)
    sql = "SELECT {} FROM {} WHERE {}".format(
        ", ".join(qn(f.column) for f in fields), qn(meta.db_table), " AND ".join(conditions)
    )
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    converters = []
    for index, field in enumerate(fields):
        col = field.get_col(meta.db_table)
        found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
        if found:
            converters.append((index, found, col))
    return _Statement(sql=sql, attnames=[f.attname for f in fields], converters=converters)


def fetch_one(
    model: type[M], *, where: dict[str, Any], extra: str = "", lock: bool = False
) -> M | None:
    """The row of `model` whose fields equal `where` (the first, if several), or None.

    `extra`: a constant SQL condition with column names, e.g. `"revoked_at" IS NULL`.
    `lock`: `SELECT ... FOR UPDATE` where the database has it (inside a transaction)."""
    connection = connections[DEFAULT_DB_ALIAS]
    names = tuple(where)
    key = (connection.vendor, model, names, extra, lock)
    statement = _statements.get(key)
    if statement is None:
        statement = _statements[key] = _build(connection, model, names, extra, lock)
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(statement.sql, tuple(where.values()))
            row = cursor.fetchone()
        finally:
            cursor.close()
    if row is None:
        return None
    values = list(row)
    for index, converters, col in statement.converters:
        value = values[index]
        for convert in converters:
            value = convert(value, col, connection)
        values[index] = value
    return model.from_db(connection.alias, statement.attnames, values)
