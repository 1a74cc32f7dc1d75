"""8 OS processes x 200 redemption attempts on one voucher, on the real database."""

import multiprocessing
from collections import Counter

import pytest
from django.conf import settings

from hotel_vouchers.vouchers.models import LedgerEntry, Voucher
from hotel_vouchers.vouchers.selectors import voucher_ledger_sum
from tests import factories
from tests.served import subprocess_database_url
from tests.vouchers.concurrency_worker import redeem_many

PROCESSES = 8
ATTEMPTS = 200


def _run(voucher_id: int, amount: str, key_prefixes: list[str | None]):
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(key_prefixes))
    results = ctx.Queue()
    workers = [
        ctx.Process(
            target=redeem_many,
            args=(
                subprocess_database_url(),
                str(settings.DATA_DIR),
                voucher_id,
                ATTEMPTS,
                amount,
                prefix,
                barrier,
                results,
            ),
        )
        for prefix in key_prefixes
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    successes = [pk for ok, _ in outcomes for pk in ok]
    refusals = sum((Counter(refused) for _, refused in outcomes), Counter())
    return successes, refusals


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_redemptions_never_overspend():
    # Given a voucher worth 1,000 redemptions of 1.00, and 1,600 attempts at once
    hotel = factories.hotel(factories.organisation())
    voucher = factories.value_voucher(hotel, "1000.00")

    # When 8 processes redeem concurrently
    successes, refusals = _run(voucher.pk, "1.00", [None] * PROCESSES)

    # Then exactly the value was redeemed, each success is one entry, the rest refused
    voucher.refresh_from_db()
    assert len(successes) == 1000
    assert refusals == {"insufficient_balance": PROCESSES * ATTEMPTS - 1000}
    redemptions = LedgerEntry.objects.filter(voucher=voucher, kind="redeem")
    assert sorted(redemptions.values_list("pk", flat=True)) == sorted(successes)
    assert voucher.balance_minor == 0 == voucher_ledger_sum(voucher_id=voucher.pk)
    balances = sorted(redemptions.values_list("balance_after_minor", flat=True))
    assert balances == list(range(0, 100000, 100))  # no lost update: every step once


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_the_same_keys_do_the_work_once():
    # Given a voucher, and 8 processes that all send the same 200 idempotency keys
    hotel = factories.hotel(factories.organisation())
    voucher = factories.value_voucher(hotel, "1000.00")

    successes, refusals = _run(voucher.pk, "0.50", ["same-key"] * PROCESSES)

    # Then each key redeemed once; every process got the same entries back
    voucher.refresh_from_db()
    assert not refusals
    assert len(set(successes)) == ATTEMPTS
    assert len(successes) == PROCESSES * ATTEMPTS
    assert voucher.balance_minor == 100000 - ATTEMPTS * 50
    assert voucher.balance_minor == voucher_ledger_sum(voucher_id=voucher.pk)
    assert Voucher.objects.get(pk=voucher.pk).balance_minor == voucher.balance_minor
