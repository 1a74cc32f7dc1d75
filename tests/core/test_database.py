"""The database is set up as the concurrency rules assume."""

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_sqlite_uses_wal_immediate_transactions_and_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings; this run uses " + connection.vendor)
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 1


@pytest.mark.django_db
def test_postgresql_is_reached_through_psycopg3():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL settings; this run uses " + connection.vendor)
    import psycopg

    assert connection.Database is psycopg
