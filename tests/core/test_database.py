"""The database is set up as the concurrency rules assume (the suite runs once per
database: each run checks the one it uses)."""

import pytest
from django.conf import settings
from django.db import connection


@pytest.mark.django_db
def test_the_database_is_set_up_for_locked_short_transactions():
    if connection.vendor == "sqlite":
        # SQLite: WAL, IMMEDIATE transactions (the write lock from BEGIN), a busy timeout
        options = settings.DATABASES["default"]["OPTIONS"]
        assert options["transaction_mode"] == "IMMEDIATE"
        assert options["timeout"] >= 5
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
    else:
        # PostgreSQL through psycopg 3, which has SELECT ... FOR UPDATE
        import psycopg

        assert connection.vendor == "postgresql"
        assert connection.Database is psycopg
        assert connection.features.has_select_for_update
