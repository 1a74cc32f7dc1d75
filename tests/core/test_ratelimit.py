"""The fixed-window miss counters in the database (core/ratelimit.py)."""

from __future__ import annotations

import pytest

from hotel_vouchers.core.models import RateLimitCounter
from hotel_vouchers.core.ratelimit import (
    Limit,
    ratelimit_hit,
    ratelimit_purge,
    ratelimit_retry_after,
)

WINDOW = 60
START = 1_800_000_000 // WINDOW * WINDOW  # the start of a window


def counts() -> dict[tuple[str, int], int]:
    return {(c.key, c.window_start): c.count for c in RateLimitCounter.objects.all()}


def test_each_key_counts_its_misses_per_window(db):
    ratelimit_hit(keys=["client:1", "ip:a"], window_seconds=WINDOW, now=START + 1)
    ratelimit_hit(keys=["client:1"], window_seconds=WINDOW, now=START + 59.9)
    ratelimit_hit(keys=["client:1"], window_seconds=WINDOW, now=START + 60)
    assert counts() == {
        ("client:1", START): 2,
        ("ip:a", START): 1,
        ("client:1", START + WINDOW): 1,
    }


def test_a_key_is_blocked_for_the_rest_of_its_window_once_at_its_limit(db):
    limits = [Limit("client:1", 2), Limit("ip:a", 10)]
    assert ratelimit_retry_after(limits=limits, window_seconds=WINDOW, now=START + 15) is None
    ratelimit_hit(keys=["client:1", "ip:a"], window_seconds=WINDOW, now=START + 15)
    assert ratelimit_retry_after(limits=limits, window_seconds=WINDOW, now=START + 15) is None
    ratelimit_hit(keys=["client:1", "ip:a"], window_seconds=WINDOW, now=START + 15)
    # 15 s into the window: 45 s left
    assert ratelimit_retry_after(limits=limits, window_seconds=WINDOW, now=START + 15) == 45
    assert ratelimit_retry_after(limits=limits, window_seconds=WINDOW, now=START + 50) == 10
    # never 0, even in the window's last fraction of a second
    assert ratelimit_retry_after(limits=limits, window_seconds=WINDOW, now=START + 59.9) == 1
    assert ratelimit_retry_after(limits=limits, window_seconds=WINDOW, now=START + 60) is None


@pytest.mark.parametrize("now", [START, START + 1, START + 30.5, START + 59])
def test_retry_after_lies_within_the_window(db, now):
    ratelimit_hit(keys=["k"], window_seconds=WINDOW, now=now)
    retry_after = ratelimit_retry_after(limits=[Limit("k", 1)], window_seconds=WINDOW, now=now)
    assert 1 <= retry_after <= WINDOW
    assert now + retry_after >= START + WINDOW > now + retry_after - 1


def test_any_key_at_its_limit_blocks(db):
    ratelimit_hit(keys=["ip:a"], window_seconds=WINDOW, now=START)
    blocked = [Limit("client:1", 5), Limit("ip:a", 1)]
    assert ratelimit_retry_after(limits=blocked, window_seconds=WINDOW, now=START) == WINDOW
    free = [Limit("client:1", 5), Limit("ip:b", 1)]
    assert ratelimit_retry_after(limits=free, window_seconds=WINDOW, now=START) is None


def test_purge_drops_only_old_windows(db):
    day = 86_400
    now = START + 10 * day
    ratelimit_hit(keys=["old"], window_seconds=WINDOW, now=now - 2 * day)
    ratelimit_hit(keys=["edge"], window_seconds=WINDOW, now=now - day + WINDOW)
    ratelimit_hit(keys=["new"], window_seconds=WINDOW, now=now)
    assert ratelimit_purge(now=now) == 1
    assert {key for key, _ in counts()} == {"edge", "new"}
    assert ratelimit_purge(older_than_seconds=WINDOW, now=now) == 1
    assert {key for key, _ in counts()} == {"new"}
    assert ratelimit_purge(now=now) == 0
