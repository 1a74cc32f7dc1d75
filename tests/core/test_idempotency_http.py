"""Idempotency-Key on the integration API's POSTs, through HTTP (shared/API.md).

The same client repeating a key with the same body gets the first answer again
(errors included) and nothing happens twice; with another body the key is
refused and nothing happens at all."""

from __future__ import annotations

import pytest

from hotel_vouchers.core.models import IdempotencyRecord
from hotel_vouchers.vouchers import services
from hotel_vouchers.vouchers.models import Hold, LedgerEntry, Voucher
from tests import factories
from tests.api_helpers import api, make_api, ok, problem, refused  # noqa: F401 - fixtures
from tests.factories import snapshot, value_voucher


@pytest.fixture
def voucher(hotel_a) -> Voucher:
    return value_voucher(hotel_a, "100.00")


def replayed(first, again) -> None:
    """`again` is `first` once more, marked as a replay."""
    assert again.status_code == first.status_code
    assert again["Content-Type"] == first["Content-Type"]
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")


def test_a_repeated_redemption_is_answered_again_and_done_once(api, voucher):
    body = {"amount": "30.00", "reference": "R1"}
    first = api.post(f"/vouchers/{voucher.code}/redemptions", body, key="pos-1-0001")
    assert first.status_code == 201
    after_first = snapshot(voucher.pk)
    again = api.post(f"/vouchers/{voucher.code}/redemptions", body, key="pos-1-0001")
    replayed(first, again)
    assert snapshot(voucher.pk) == after_first
    assert LedgerEntry.objects.filter(voucher=voucher, kind="redeem").count() == 1
    assert Voucher.objects.get(pk=voucher.pk).balance_minor == 7000


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(api, voucher):
    path = f"/vouchers/{voucher.code}/redemptions"
    ok(api.post(path, {"amount": "30.00"}, key="k-1"), 201)
    refused(
        lambda: api.post(path, {"amount": "31.00"}, key="k-1"),
        voucher.pk,
        422,
        "idempotency_key_reused",
    )
    # the key belongs to the first request, whatever the endpoint
    refused(
        lambda: api.post(
            f"/vouchers/{voucher.code}/holds", {"amount": "1", "reference": "B"}, key="k-1"
        ),
        voucher.pk,
        422,
        "idempotency_key_reused",
    )
    assert Voucher.objects.get(pk=voucher.pk).balance_minor == 7000


def test_an_error_is_replayed_too(api, voucher):
    # given 90.00 of 100.00 held: 10.00 available
    held = services.hold_create(voucher_id=voucher.pk, amount="90.00", reference="B", actor="t")
    path = f"/vouchers/{voucher.code}/redemptions"
    first = api.post(path, {"amount": "20.00"}, key="k-409")
    assert problem(first, 409, "insufficient_balance")["available"] == "10.00"
    # when the hold is released, the same request with the same key still gets the first answer
    services.hold_release(hold_id=held.pk, actor="t")
    before = snapshot(voucher.pk)
    replayed(first, api.post(path, {"amount": "20.00"}, key="k-409"))
    assert snapshot(voucher.pk) == before
    # while without the key (or with a new one) it is done now
    ok(api.post(path, {"amount": "20.00"}, key="k-new"), 201)


@pytest.mark.parametrize(
    "key",
    ["x" * 256, "", "   ", "bell\x07", "tab\tkey", "new\nline", "nul\x00", "del\x7f", "schlüssel"],
)
def test_a_bad_key_is_refused_and_changes_nothing(api, voucher, key):
    refused(
        lambda: api.post(f"/vouchers/{voucher.code}/redemptions", {"amount": "1"}, key=key),
        voucher.pk,
        422,
        "validation_error",
    )


def test_a_key_of_255_characters_is_fine(api, voucher):
    path = f"/vouchers/{voucher.code}/redemptions"
    first = api.post(path, {"amount": "1"}, key="k" * 255)
    assert first.status_code == 201
    replayed(first, api.post(path, {"amount": "1"}, key="k" * 255))


def test_keys_are_per_client(make_api, voucher):
    first_client, second_client = make_api(), make_api()
    path = f"/vouchers/{voucher.code}/redemptions"
    first = first_client.post(path, {"amount": "10.00"}, key="shift-1")
    second = second_client.post(path, {"amount": "10.00"}, key="shift-1")
    assert (first.status_code, second.status_code) == (201, 201)
    assert not second.has_header("Idempotent-Replayed")
    assert first.json()["transaction"]["id"] != second.json()["transaction"]["id"]
    ok(second_client.post(path, {"amount": "12.00"}, key="shift-2"), 201)
    ok(first_client.post(path, {"amount": "13.00"}, key="shift-2"), 201)
    assert Voucher.objects.get(pk=voucher.pk).balance_minor == 10000 - 1000 - 1000 - 1200 - 1300


def test_every_post_is_idempotent(api, voucher, hotel_a):
    hold_path = f"/vouchers/{voucher.code}/holds"
    first = api.post(hold_path, {"amount": "20.00", "reference": "B1"}, key="h")
    replayed(first, api.post(hold_path, {"amount": "20.00", "reference": "B1"}, key="h"))
    assert Hold.objects.filter(voucher=voucher).count() == 1
    hold_id = first.json()["hold"]["id"]

    first = api.post(f"/holds/{hold_id}/capture", {"amount": "5.00"}, key="c")
    replayed(first, api.post(f"/holds/{hold_id}/capture", {"amount": "5.00"}, key="c"))
    assert LedgerEntry.objects.filter(voucher=voucher, kind="capture").count() == 1

    transaction_id = first.json()["transaction"]["id"]
    first = api.post(f"/transactions/{transaction_id}/reversal", {}, key="r")
    assert first.status_code == 201
    replayed(first, api.post(f"/transactions/{transaction_id}/reversal", {}, key="r"))
    assert LedgerEntry.objects.filter(voucher=voucher, kind="reversal").count() == 1

    other = ok(api.post(hold_path, {"amount": "1.00", "reference": "B2"}), 201)["hold"]["id"]
    first = api.post(f"/holds/{other}/release", key="rel")
    replayed(first, api.post(f"/holds/{other}/release", key="rel"))

    vouchers = Voucher.objects.count()
    issue = {"value": "50.00", "currency": "EUR", "hotel": "hotel-a"}
    first = api.post("/vouchers", issue, key="order-1")
    assert first.status_code == 201
    replayed(first, api.post("/vouchers", issue, key="order-1"))
    assert Voucher.objects.count() == vouchers + 1


def test_a_repeated_batch_is_answered_again(api, voucher):
    items = [
        {
            "code": voucher.code,
            "amount": "10.00",
            "reference": "T1",
            "idempotency_key": "item-1",
            "occurred_at": "2026-01-02T10:00:00+00:00",
        }
    ]
    first = api.post("/redemptions/batch", {"items": items}, key="batch-1")
    assert first.json()["results"][0]["status"] == 201
    replayed(first, api.post("/redemptions/batch", {"items": items}, key="batch-1"))
    assert LedgerEntry.objects.filter(voucher=voucher, kind="redeem").count() == 1


def test_a_refused_key_leaves_no_record_behind(api, voucher):
    records = IdempotencyRecord.objects.count()
    problem(
        api.post(f"/vouchers/{voucher.code}/redemptions", {"amount": "1"}, key="x" * 256),
        422,
        "validation_error",
    )
    # a lookup refused before the work (unknown code) does not take the key either
    unknown = factories.value_voucher(factories.hotel(factories.organisation()))
    problem(
        api.post(f"/vouchers/{unknown.code}/redemptions", {"amount": "1"}, key="late"),
        404,
        "voucher_not_found",
    )
    assert IdempotencyRecord.objects.count() == records
    ok(api.post(f"/vouchers/{voucher.code}/redemptions", {"amount": "1"}, key="late"), 201)
