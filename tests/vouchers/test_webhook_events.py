"""The voucher services report their changes as webhook events, in their own
transaction: a refused change reports nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from hotel_vouchers.core import errors
from hotel_vouchers.vouchers import services
from hotel_vouchers.webhooks.models import WebhookDelivery, WebhookEvent
from tests.factories import value_voucher
from tests.webhooks.factories import subscription


def _events(org) -> list[WebhookEvent]:
    return list(WebhookEvent.objects.filter(organisation_id=org.pk).order_by("pk"))


@pytest.fixture
def listening(org):
    """A subscription to every event type."""
    return subscription(org)


def test_issue_and_redeem_report_the_voucher_and_the_transaction(org, hotel_a, listening):
    # Given a subscription, when a voucher is issued and 12.50 redeemed
    voucher = value_voucher(hotel_a, "50.00")
    entry = services.voucher_redeem(voucher_id=voucher.pk, amount="12.50", actor="desk")

    # Then both are events with the data a receiver needs, one delivery each
    issued, redeemed = _events(org)
    assert issued.type == "voucher.issued"
    assert issued.payload["data"]["voucher"]["code"] == voucher.display_code
    assert issued.payload["data"]["voucher"]["balance"] == "50.00"
    assert redeemed.type == "voucher.redeemed"
    data = redeemed.payload["data"]
    assert data["transaction"]["id"] == entry.pk
    assert data["transaction"]["amount"] == "-12.50"
    assert data["voucher"]["balance"] == "37.50"
    assert data["voucher"]["status"] == "partially_redeemed"
    assert WebhookDelivery.objects.filter(subscription=listening).count() == 2


def test_a_refused_redemption_reports_nothing(org, hotel_a, listening):
    # Given a voucher of 10.00 and its issue event
    voucher = value_voucher(hotel_a, "10.00")
    before = _events(org)

    # When a redemption of 20.00 is refused
    with pytest.raises(errors.InsufficientBalance):
        services.voucher_redeem(voucher_id=voucher.pk, amount="20.00", actor="desk")

    # Then no event and no delivery was written
    assert _events(org) == before
    assert WebhookDelivery.objects.count() == len(before)


def test_holds_report_created_captured_released_and_expired(org, hotel_a, listening):
    # Given a voucher of 100.00
    voucher = value_voucher(hotel_a, "100.00")

    # When one hold is captured in part, one released and one runs out
    captured = services.hold_create(
        voucher_id=voucher.pk, amount="30.00", reference="B1", actor="pms"
    )
    services.hold_capture(hold_id=captured.pk, amount="20.00", actor="pms")
    released = services.hold_create(
        voucher_id=voucher.pk, amount="5.00", reference="B2", actor="pms"
    )
    services.hold_release(hold_id=released.pk, actor="pms")
    expiring = services.hold_create(
        voucher_id=voucher.pk, amount="7.00", reference="B3", actor="pms", expires_in=60
    )
    services.holds_expire_due(now=timezone.now() + timedelta(seconds=61))

    # Then every step is an event, in order, a capture also being a redemption
    types = [event.type for event in _events(org)]
    assert types == [
        "voucher.issued",
        "hold.created",
        "hold.captured",
        "voucher.redeemed",
        "hold.created",
        "hold.released",
        "hold.created",
        "hold.expired",
    ]
    capture = _events(org)[2].payload["data"]
    assert capture["hold"]["captured_amount"] == "20.00"
    assert capture["transaction"]["hold_id"] == captured.pk
    assert _events(org)[-1].payload["data"]["hold"]["id"] == expiring.pk


def test_reversal_cancel_expire_and_paid_are_reported(org, hotel_a, listening):
    # Given an unpaid voucher, paid later, redeemed and reversed, and another cancelled
    voucher = value_voucher(hotel_a, "40.00", paid=False)
    services.voucher_mark_paid(voucher_id=voucher.pk, actor="desk")
    entry = services.voucher_redeem(voucher_id=voucher.pk, amount="10.00", actor="desk")
    services.ledger_entry_reverse(entry_id=entry.pk, actor="desk", reason="wrong voucher")
    other = value_voucher(hotel_a, "15.00")
    services.voucher_cancel(voucher_id=other.pk, actor="desk", reason="goodwill ended")
    services.voucher_expire(voucher_id=voucher.pk, actor="desk", force=True)

    # Then each change is its event
    types = [event.type for event in _events(org)]
    assert types == [
        "voucher.issued",
        "voucher.paid",
        "voucher.redeemed",
        "voucher.reversed",
        "voucher.issued",
        "voucher.cancelled",
        "voucher.expired",
    ]
    assert _events(org)[3].payload["data"]["transaction"]["amount"] == "10.00"


def test_without_a_subscription_nothing_is_written(org, hotel_a):
    # Given no subscription, when a voucher is issued and redeemed
    voucher = value_voucher(hotel_a, "20.00")
    services.voucher_redeem(voucher_id=voucher.pk, amount="5.00", actor="desk")

    # Then no event exists
    assert WebhookEvent.objects.count() == 0
