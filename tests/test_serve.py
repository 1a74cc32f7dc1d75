"""The real server: `hotel-vouchers serve` with 2 workers on a free port, against
the test database, driven over HTTP by concurrent clients."""

from __future__ import annotations

import json
import socket
import threading
import time
from decimal import Decimal

import pytest

from hotel_vouchers.api_clients.services import api_client_create
from hotel_vouchers.vouchers.models import LedgerEntry, Voucher
from hotel_vouchers.vouchers.selectors import voucher_ledger_sum
from tests import factories
from tests.served import server  # noqa: F401 (a fixture)

pytestmark = pytest.mark.slow


def _token(hotel) -> str:
    _, token = api_client_create(
        organisation=hotel.organisation,
        name=f"register {time.monotonic_ns()}",
        scopes=["vouchers:read", "vouchers:redeem"],
        actor="test",
    )
    return token


@pytest.mark.django_db(transaction=True)
def test_32_concurrent_clients_empty_a_voucher_exactly(server):
    # Given a paid voucher of 60.00 and 32 registers that redeem 0.50 until it refuses
    hotel = factories.hotel(factories.organisation())
    voucher = factories.value_voucher(hotel, "60.00")
    token = _token(hotel)
    path = f"/api/v1/vouchers/{voucher.display_code}/redemptions"
    successes: list[Decimal] = []
    refusals: list[str] = []
    unexpected: list[tuple[int, object]] = []
    lock = threading.Lock()
    start = threading.Barrier(32)

    def register() -> None:
        start.wait()
        for _ in range(200):
            status, body, _ = server.request("POST", path, token=token, body={"amount": "0.50"})
            with lock:
                if status == 201:
                    successes.append(-Decimal(body["transaction"]["amount"]))
                elif status == 409 and body["code"] == "insufficient_balance":
                    refusals.append(body["code"])
                    return
                else:
                    unexpected.append((status, body))
                    return

    # When they all run at once against the 2-worker server
    threads = [threading.Thread(target=register) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    # Then the successes add up to the value exactly, every register was refused at the end,
    # and the ledger sums to a zero balance
    assert not unexpected, unexpected[:3]
    assert sum(successes) == Decimal("60.00") and len(successes) == 120
    assert len(refusals) == 32
    voucher.refresh_from_db()
    assert voucher.balance_minor == 0 == voucher_ledger_sum(voucher_id=voucher.pk)
    assert LedgerEntry.objects.filter(voucher=voucher, kind="redeem").count() == 120


@pytest.mark.django_db(transaction=True)
def test_a_retry_after_a_dropped_connection_gets_the_first_answer(server):
    # Given a voucher of 50.00
    hotel = factories.hotel(factories.organisation())
    voucher = factories.value_voucher(hotel, "50.00")
    token = _token(hotel)
    path = f"/api/v1/vouchers/{voucher.display_code}/redemptions"
    body = json.dumps({"amount": "12.00", "reference": "R-7"}).encode()

    # When a register sends a redemption with an Idempotency-Key and drops the connection
    # before reading the answer
    with socket.create_connection(("127.0.0.1", server.port)) as raw:
        raw.sendall(
            b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\n"
            b"Content-Type: application/json\r\nIdempotency-Key: drop-1\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
    deadline = time.monotonic() + 30
    while not LedgerEntry.objects.filter(voucher=voucher, kind="redeem").exists():
        assert time.monotonic() < deadline, "the first request never arrived"
        time.sleep(0.05)
    first = LedgerEntry.objects.get(voucher=voucher, kind="redeem")

    # and retries it with the same key
    status, answer, response = server.request(
        "POST",
        path,
        token=token,
        body={"amount": "12.00", "reference": "R-7"},
        headers={"Idempotency-Key": "drop-1"},
    )

    # Then the retry gets the first answer, and there is still one redemption
    assert status == 201
    assert response.getheader("Idempotent-Replayed") == "true"
    assert answer["transaction"]["id"] == first.pk
    assert answer["voucher"]["balance"] == "38.00"
    assert LedgerEntry.objects.filter(voucher=voucher, kind="redeem").count() == 1
    assert Voucher.objects.get(pk=voucher.pk).balance_minor == 3800
