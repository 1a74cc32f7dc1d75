"""The ledger write path: lock a voucher, append an entry, move its cached balance.

Every redemption, capture and correction runs these three statements. Like
core/prepared.py (which does the lock), the insert and the update are built
once per database vendor from the models' metadata and run on the driver's
cursor of Django's own connection, inside the caller's `transaction.atomic`:
on this path the ORM's query compiler and cursor wrappers cost several times
what the database does (docs/benchmarks.md). Values are adapted with the
backend's own functions and driver errors become Django's, so callers see the
same objects and exceptions as from the ORM. Only services.py calls this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from hotel_vouchers.core.prepared import fetch_one
from hotel_vouchers.vouchers.models import LedgerEntry, Voucher


@dataclass(frozen=True, slots=True)
class _Statements:
    insert: str
    entry_attnames: list[str]  # every concrete field but the primary key, in order
    entry_datetimes: list[int]  # indexes of the date-time fields among them
    returns_id: bool
    update: str


_statements: dict[str, _Statements] = {}


def _build(connection: BaseDatabaseWrapper) -> _Statements:
    qn = connection.ops.quote_name
    mark = "?" if connection.vendor == "sqlite" else "%s"  # the driver's own paramstyle
    table, pk = Voucher._meta.db_table, qn(Voucher._meta.pk.column)
    entry_meta = LedgerEntry._meta
    entry_fields = [f for f in entry_meta.concrete_fields if not f.primary_key]
    returns_id = connection.features.can_return_columns_from_insert
    insert = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(entry_meta.db_table),
        ", ".join(qn(f.column) for f in entry_fields),
        ", ".join([mark] * len(entry_fields)),
    )
    if returns_id:
        insert += f" RETURNING {qn(entry_meta.pk.column)}"
    update = "UPDATE {} SET {} = {m}, {} = {m}, {} = {m} WHERE {} = {m}".format(
        qn(table), qn("balance_minor"), qn("held_minor"), qn("changed_at"), pk, m=mark
    )
    return _Statements(
        insert=insert,
        entry_attnames=[f.attname for f in entry_fields],
        entry_datetimes=[
            i for i, f in enumerate(entry_fields) if f.get_internal_type() == "DateTimeField"
        ],
        returns_id=returns_id,
        update=update,
    )


def _connection() -> tuple[BaseDatabaseWrapper, _Statements]:
    """The default connection (looked up once: each lookup is a context-local read)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        raise RuntimeError("The ledger is written inside transaction.atomic() only.")
    statements = _statements.get(connection.vendor)
    if statements is None:
        statements = _statements[connection.vendor] = _build(connection)
    return connection, statements


def lock_voucher(voucher_id: int) -> Voucher | None:
    """The voucher row, locked until the transaction ends (None if there is none).

    PostgreSQL: `SELECT ... FOR UPDATE`. SQLite: the IMMEDIATE transaction
    already holds the database's write lock."""
    _connection()  # inside a transaction only
    return fetch_one(Voucher, where={"id": voucher_id}, lock=True)


_EMPTY_TEXT = {"actor": "", "reference": "", "note": "", "idempotency_key": ""}


def entry_insert(*, voucher: Voucher, values: dict[str, Any], now: datetime) -> LedgerEntry:
    """Insert one ledger entry and store the voucher's cached balance and holds.

    `values` holds the entry's fields by attribute name (absent ones are empty);
    the voucher object already carries its new balance and held amount."""
    connection, statements = _connection()
    fields = {**_EMPTY_TEXT, **values, "voucher_id": voucher.pk, "created_at": now}
    row = [fields.get(name) for name in statements.entry_attnames]
    adapt = connection.ops.adapt_datetimefield_value
    params = row.copy()
    for index in statements.entry_datetimes:
        params[index] = adapt(params[index])
    stamp = adapt(now)
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(statements.insert, params)
            entry_id = cursor.fetchone()[0] if statements.returns_id else cursor.lastrowid
            cursor.execute(
                statements.update, (voucher.balance_minor, voucher.held_minor, stamp, voucher.pk)
            )
        finally:
            cursor.close()
    voucher.changed_at = now
    entry = LedgerEntry.from_db(
        connection.alias, ["id", *statements.entry_attnames], [entry_id, *row]
    )
    entry.voucher = voucher
    return entry
