"""Fixed-window counters of misses (unknown voucher codes), shared by all processes.

A key is blocked for the rest of a window once its misses reach the limit.
The counters live in the database (one row a key and window), so every web
worker counts the same misses; `ratelimit_purge` drops old windows.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import connection

from hotel_vouchers.core.models import RateLimitCounter


@dataclass(frozen=True, slots=True)
class Limit:
    key: str
    limit: int


def _window_start(seconds: int, now: float) -> int:
    return int(now) // seconds * seconds


def ratelimit_retry_after(
    *, limits: list[Limit], window_seconds: int, now: float | None = None
) -> int | None:
    """Seconds until the window ends if any key has reached its limit, else None."""
    now = time.time() if now is None else now
    start = _window_start(window_seconds, now)
    qn = connection.ops.quote_name
    keys = [limit.key for limit in limits]
    sql = "SELECT {}, {} FROM {} WHERE {} = %s AND {} IN ({})".format(
        qn("key"),
        qn("count"),
        qn(RateLimitCounter._meta.db_table),
        qn("window_start"),
        qn("key"),
        ", ".join(["%s"] * len(keys)),
    )
    # Plain SQL: this runs before every code lookup, and the ORM would cost more than it.
    with connection.cursor() as cursor:
        cursor.execute(sql, [start, *keys])
        counts = dict(cursor.fetchall())
    if any(counts.get(limit.key, 0) >= limit.limit for limit in limits):
        return max(1, start + window_seconds - int(now))
    return None


def ratelimit_hit(*, keys: list[str], window_seconds: int, now: float | None = None) -> None:
    """Count one miss for each key in the current window (one atomic upsert a key)."""
    now = time.time() if now is None else now
    qn = connection.ops.quote_name
    table = qn(RateLimitCounter._meta.db_table)
    key, start, count = qn("key"), qn("window_start"), qn("count")
    sql = (
        f"INSERT INTO {table} ({key}, {start}, {count}) VALUES (%s, %s, 1) "
        f"ON CONFLICT ({key}, {start}) DO UPDATE SET {count} = {table}.{count} + 1"
    )
    with connection.cursor() as cursor:
        for name in keys:
            cursor.execute(sql, [name, _window_start(window_seconds, now)])


def ratelimit_purge(*, older_than_seconds: int = 86_400, now: float | None = None) -> int:
    now = time.time() if now is None else now
    deleted, _ = RateLimitCounter.objects.filter(
        window_start__lt=int(now) - older_than_seconds
    ).delete()
    return deleted
