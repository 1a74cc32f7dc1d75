"""Webhook services against a real HTTP receiver on 127.0.0.1 and the real task table.

Transactions: these tests run inside the test transaction, so on-commit work
is run by `django_capture_on_commit_callbacks(execute=True)` as at a commit;
test_worker.py commits for real."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hotel_vouchers.core import errors
from hotel_vouchers.core.models import AuditEvent
from hotel_vouchers.webhooks import services
from hotel_vouchers.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from hotel_vouchers.webhooks.tasks import webhook_deliver
from tests import factories
from tests.webhooks.factories import make_due, subscription

TASK_PATH = "hotel_vouchers.webhooks.tasks.webhook_deliver"
DATA = {"code": "ABCD-EFGH-JKLM", "amount": "12.50", "currency": "EUR"}


def counts() -> tuple[int, int, int, int]:
    return (
        WebhookEvent.objects.count(),
        WebhookDelivery.objects.count(),
        WebhookAttempt.objects.count(),
        DBTaskResult.objects.count(),
    )


def emit(org, type="voucher.redeemed", data=None, *, capture) -> WebhookEvent | None:
    """Emit inside a transaction that commits (the on-commit work runs)."""
    with capture(execute=True), transaction.atomic():
        return services.webhook_event_emit(
            organisation_id=org.pk, type=type, data=DATA if data is None else data
        )


def only_delivery(event: WebhookEvent) -> WebhookDelivery:
    [delivery] = event.deliveries.all()
    return delivery


def attempt(delivery: WebhookDelivery, *, capture) -> WebhookDelivery:
    with capture(execute=True):
        return services.webhook_delivery_attempt(delivery_id=delivery.pk)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def retry_settings(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_RETRY_MAX_SECONDS = 3600
    settings.WEBHOOK_MAX_ATTEMPTS = 8
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    return settings


# --- emit ----------------------------------------------------------------------


def test_emit_without_a_wanting_subscription_writes_nothing_with_one_query(
    org, capture, django_assert_max_num_queries
):
    # given: no subscription, and one that is inactive, and one for other events
    subscription(org, events=["voucher.redeemed"], active=False)
    subscription(org, events=["voucher.issued"])
    before = counts()
    # when
    with django_assert_max_num_queries(1), capture(execute=True) as callbacks:
        event = services.webhook_event_emit(
            organisation_id=org.pk, type="voucher.redeemed", data=DATA
        )
    # then
    assert event is None
    assert callbacks == []
    assert counts() == before


def test_emit_of_an_unknown_type_is_a_programming_error(org, capture):
    # given
    subscription(org)
    before = counts()
    # when / then
    with pytest.raises(ValueError, match=r"voucher\.exploded"), capture(execute=True):
        services.webhook_event_emit(organisation_id=org.pk, type="voucher.exploded", data={})
    assert counts() == before


def test_emit_in_a_transaction_that_rolls_back_leaves_no_event_and_no_task(org, capture):
    # given
    subscription(org)
    before = counts()
    # when: the caller's transaction fails after the emit
    with capture(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            event = services.webhook_event_emit(
                organisation_id=org.pk, type="voucher.redeemed", data=DATA
            )
            assert event is not None
            raise RuntimeError("the redemption failed")
    # then
    assert callbacks == []
    assert counts() == before


def test_emit_and_commit_enqueue_a_task_and_the_attempt_sends_the_signed_exact_body(
    org, receiver, capture
):
    # given
    sub = subscription(org, receiver.url, events=["voucher.redeemed"])
    # when: emitted and committed
    event = emit(org, capture=capture)
    # then: one event, one pending delivery, one task in the queue for it
    assert event is not None
    delivery = only_delivery(event)
    assert (delivery.subscription_id, delivery.status, delivery.attempts) == (sub.pk, "pending", 0)
    [task] = DBTaskResult.objects.all()
    assert (task.task_path, task.status) == (TASK_PATH, "READY")
    assert task.args_kwargs == {"args": [delivery.pk], "kwargs": {}}
    assert receiver.requests == []

    # when: the task runs
    assert webhook_deliver.call(delivery.pk) == "succeeded"

    # then: the receiver got the body, the headers and a signature of the bytes
    [request] = receiver.requests
    body = json.loads(request.body)
    assert body == event.payload
    assert set(body) == {"id", "type", "created_at", "data"}
    assert body["id"] == event.public_id and body["id"].startswith("evt_")
    assert len(body["id"]) == 4 + 32
    assert (body["type"], body["data"]) == ("voucher.redeemed", DATA)
    assert body["created_at"].endswith("+00:00")
    assert request.body == services.webhook_event_body(event=event)
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Webhook-Id"] == event.public_id
    assert request.headers["User-Agent"] == "hotel-vouchers-webhooks"
    secret = services.webhook_subscription_secret(subscription=sub)
    header = request.headers["Webhook-Signature"]
    assert services.webhook_signature_verify(secret=secret, header=header, body=request.body)
    # ... and checked by hand as an integrator would, not only by our helper
    timestamp, v1 = (part.split("=", 1)[1] for part in header.split(","))
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256
    ).hexdigest()
    assert v1 == expected
    assert abs(int(timestamp) - time.time()) < 60
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)
    assert delivery.next_attempt_at is None
    [record] = delivery.attempt_records.all()
    assert (record.number, record.status_code, record.error) == (1, 200, "")
    assert record.response_body == "thanks"
    assert record.duration_ms >= 0


def test_emit_stores_decimals_and_datetimes_as_the_strings_it_sends(org, receiver, capture):
    # given
    from decimal import Decimal

    subscription(org, receiver.url)
    moment = timezone.now()
    # when
    event = emit(org, data={"amount": Decimal("12.50"), "at": moment}, capture=capture)
    attempt(only_delivery(event), capture=capture)
    # then
    sent = json.loads(receiver.requests[0].body)
    assert sent["data"]["amount"] == "12.50"
    assert sent["data"]["at"].startswith(moment.isoformat()[:19])
    assert sent == WebhookEvent.objects.get(pk=event.pk).payload


def test_a_subscription_without_the_type_gets_no_delivery(org, capture):
    # given
    wants = subscription(org, events=["voucher.redeemed", "voucher.issued"])
    subscription(org, events=["voucher.issued", "hold.created"])
    # when
    event = emit(org, "voucher.redeemed", capture=capture)
    # then
    assert [d.subscription_id for d in event.deliveries.all()] == [wants.pk]
    assert DBTaskResult.objects.count() == 1


def test_another_organisations_subscription_gets_nothing(org, capture):
    # given: only the other organisation has a subscription
    other = factories.organisation()
    subscription(other, events=["voucher.redeemed"])
    before = counts()
    # when
    event = emit(org, "voucher.redeemed", capture=capture)
    # then
    assert event is None
    assert counts() == before
    # and when the other organisation emits, only its own subscription is served
    event = emit(other, "voucher.redeemed", capture=capture)
    assert [d.subscription.organisation_id for d in event.deliveries.all()] == [other.pk]


def test_every_matching_subscription_gets_its_own_delivery_and_task(org, capture):
    # given
    first = subscription(org, events=["hold.created"])
    second = subscription(org, "http://pos.example.test/hooks", events=["hold.created"])
    # when
    event = emit(org, "hold.created", capture=capture)
    # then
    deliveries = sorted(event.deliveries.all(), key=lambda d: d.pk)
    assert [d.subscription_id for d in deliveries] == [first.pk, second.pk]
    queued = sorted(t.args_kwargs["args"][0] for t in DBTaskResult.objects.all())
    assert queued == [d.pk for d in deliveries]


# --- failures, retries, backoff -------------------------------------------------


def test_receiver_500_records_the_attempt_and_schedules_a_retry_with_the_base_delay(
    org, receiver, capture, retry_settings
):
    # given
    subscription(org, receiver.url)
    delivery = only_delivery(emit(org, capture=capture))
    receiver.status, receiver.answer = 500, b"boom " * 200
    tasks_before = set(DBTaskResult.objects.values_list("pk", flat=True))
    # when
    before = timezone.now()
    delivery = attempt(delivery, capture=capture)
    after = timezone.now()
    # then: the attempt is recorded
    [record] = WebhookAttempt.objects.filter(delivery=delivery)
    assert (record.number, record.status_code) == (1, 500)
    assert "500" in record.error
    assert record.response_body == ("boom " * 200)[:500]
    # ... the delivery waits for the base delay
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert before + timedelta(seconds=30) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= after + timedelta(seconds=30)
    # ... and a retry task runs then, not before
    [retry] = DBTaskResult.objects.exclude(pk__in=tasks_before)
    assert (retry.task_path, retry.status) == (TASK_PATH, "READY")
    assert retry.args_kwargs == {"args": [delivery.pk], "kwargs": {}}
    assert retry.run_after == delivery.next_attempt_at
    assert not DBTaskResult.objects.ready().filter(pk=retry.pk).exists()


def test_a_task_that_runs_before_the_retry_is_due_sends_nothing(
    org, receiver, capture, retry_settings
):
    # given: a failed first attempt, the retry scheduled in 30 s
    subscription(org, receiver.url)
    delivery = only_delivery(emit(org, capture=capture))
    receiver.status = 503
    attempt(delivery, capture=capture)
    delivery.refresh_from_db()
    before = (counts(), delivery.attempts, delivery.next_attempt_at, len(receiver.requests))
    # when: a duplicate task runs now
    attempt(delivery, capture=capture)
    # then
    delivery.refresh_from_db()
    assert (counts(), delivery.attempts, delivery.next_attempt_at, len(receiver.requests)) == before


def test_each_failure_doubles_the_delay_up_to_the_cap(org, receiver, capture, settings):
    # given: base 10 s, cap 50 s, enough attempts
    settings.WEBHOOK_RETRY_BASE_SECONDS = 10
    settings.WEBHOOK_RETRY_MAX_SECONDS = 50
    settings.WEBHOOK_MAX_ATTEMPTS = 10
    subscription(org, receiver.url)
    delivery = only_delivery(emit(org, capture=capture))
    receiver.status = 500
    delays = []
    for _ in range(5):
        # when: the retry is due and fails again
        make_due(delivery)
        before = timezone.now()
        delivery = attempt(delivery, capture=capture)
        after = timezone.now()
        delivery.refresh_from_db()
        low = (delivery.next_attempt_at - after).total_seconds()
        high = (delivery.next_attempt_at - before).total_seconds()
        delays.append(round((low + high) / 2))
    # then
    assert delays == [10, 20, 40, 50, 50]
    assert delivery.attempts == 5
    assert list(delivery.attempt_records.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert len(receiver.requests) == 5


def test_retry_delay_with_the_default_settings():
    # given the defaults (30 s, doubling, at most an hour)
    delays = [services.webhook_retry_delay(attempt=n) for n in range(1, 10)]
    # then
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert services.webhook_retry_delay(attempt=10_000) == 3600


def test_after_the_last_attempt_the_delivery_fails_and_no_task_is_enqueued(
    org, receiver, capture, settings
):
    # given: three attempts allowed, the receiver keeps failing
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    subscription(org, receiver.url)
    delivery = only_delivery(emit(org, capture=capture))
    receiver.status = 500
    attempt(delivery, capture=capture)
    make_due(delivery)
    attempt(delivery, capture=capture)
    make_due(delivery)
    tasks_before = DBTaskResult.objects.count()
    # when: the third attempt fails
    delivery = attempt(delivery, capture=capture)
    # then
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert delivery.attempt_records.count() == 3
    assert DBTaskResult.objects.count() == tasks_before
    # and a late task sends nothing more
    before = (counts(), len(receiver.requests))
    attempt(delivery, capture=capture)
    assert (counts(), len(receiver.requests)) == before


def test_a_succeeded_delivery_is_not_sent_twice(org, receiver, capture):
    # given: a delivered event
    subscription(org, receiver.url)
    delivery = only_delivery(emit(org, capture=capture))
    attempt(delivery, capture=capture)
    before = (counts(), len(receiver.requests))
    # when: the task runs again (a duplicate)
    assert webhook_deliver.call(delivery.pk) == "succeeded"
    # then
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)
    assert (counts(), len(receiver.requests)) == before


def test_connection_refused_is_recorded_as_an_error(org, closed_port_url, capture, retry_settings):
    # given: nothing listens at the URL
    subscription(org, closed_port_url)
    delivery = only_delivery(emit(org, capture=capture))
    tasks_before = DBTaskResult.objects.count()
    # when
    delivery = attempt(delivery, capture=capture)
    # then
    [record] = delivery.attempt_records.all()
    assert record.status_code is None
    assert "refused" in record.error.lower()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("pending", None)
    assert DBTaskResult.objects.count() == tasks_before + 1


def test_a_timeout_is_recorded_as_an_error(org, receiver, capture, settings):
    # given: the receiver does not answer, and a short timeout
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    subscription(org, receiver.url)
    delivery = only_delivery(emit(org, capture=capture))
    receiver.hang = True
    # when
    clock = time.monotonic()
    delivery = attempt(delivery, capture=capture)
    elapsed = time.monotonic() - clock
    # then
    assert elapsed < 3
    [record] = delivery.attempt_records.all()
    assert record.status_code is None
    assert "timed out" in record.error.lower()
    assert record.duration_ms >= 250
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 1)


def test_a_redirect_is_not_followed_and_counts_as_a_failure(org, receiver, capture):
    # given: the receiver redirects (a POST would arrive as a GET without body)
    subscription(org, receiver.url)
    delivery = only_delivery(emit(org, capture=capture))
    receiver.status, receiver.location = 302, receiver.url + "/elsewhere"
    # when
    delivery = attempt(delivery, capture=capture)
    # then
    assert [r.path for r in receiver.requests] == ["/hooks"]
    [record] = delivery.attempt_records.all()
    assert record.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)


def test_a_deactivated_subscription_is_not_called_and_its_delivery_fails(org, receiver, capture):
    # given: an event for a subscription deactivated before the worker ran
    sub = subscription(org, receiver.url)
    delivery = only_delivery(emit(org, capture=capture))
    services.webhook_subscription_update(subscription_id=sub.pk, actor="test", active=False)
    tasks_before = DBTaskResult.objects.count()
    # when
    delivery = attempt(delivery, capture=capture)
    # then
    assert receiver.requests == []
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 0)
    assert delivery.attempt_records.count() == 0
    assert DBTaskResult.objects.count() == tasks_before


def test_stalled_pending_deliveries_are_requeued(org, receiver, capture):
    # given: a delivery whose task was lost an hour and more ago, and a fresh one
    subscription(org, receiver.url)
    stalled = only_delivery(emit(org, capture=capture))
    fresh = only_delivery(emit(org, capture=capture))
    WebhookDelivery.objects.filter(pk=stalled.pk).update(
        next_attempt_at=timezone.now() - timedelta(hours=2)
    )
    DBTaskResult.objects.all().delete()
    # when
    requeued = services.webhook_delivery_requeue_stalled(older_than_seconds=3600)
    # then
    assert requeued == 1
    [task] = DBTaskResult.objects.all()
    assert task.args_kwargs["args"] == [stalled.pk] != [fresh.pk]


# --- signatures and secrets -----------------------------------------------------


def test_signature_verify_accepts_the_signed_body_and_refuses_a_tampered_one():
    # given
    secret, body, now = "whsec_test", b'{"id":"evt_1","amount":"10.00"}', int(time.time())
    header = services.webhook_signature(secret=secret, timestamp=now, body=body)
    # then
    assert header.startswith(f"t={now},v1=")
    assert services.webhook_signature_verify(secret=secret, header=header, body=body)
    tampered = body.replace(b"10.00", b"99.00")
    assert not services.webhook_signature_verify(secret=secret, header=header, body=tampered)
    assert not services.webhook_signature_verify(secret="whsec_other", header=header, body=body)


def test_signature_verify_refuses_an_old_timestamp_and_a_malformed_header():
    # given: a signature made ten minutes ago
    secret, body, now = "whsec_test", b"{}", int(time.time())
    old = services.webhook_signature(secret=secret, timestamp=now - 600, body=body)
    # then: refused with the default tolerance, accepted with a wider one
    assert not services.webhook_signature_verify(secret=secret, header=old, body=body)
    assert services.webhook_signature_verify(
        secret=secret, header=old, body=body, tolerance_seconds=900
    )
    future = services.webhook_signature(secret=secret, timestamp=now + 600, body=body)
    assert not services.webhook_signature_verify(secret=secret, header=future, body=body)
    for header in ("", "v1=abc", f"t={now}", "t=soon,v1=abc", f"t={now},v1="):
        assert not services.webhook_signature_verify(secret=secret, header=header, body=body)


def test_the_secret_is_derived_per_subscription_and_rotates_with_a_new_salt(org, settings):
    # given
    first, second = subscription(org), subscription(org)
    secret = services.webhook_subscription_secret(subscription=first)
    # then: stable, prefixed, different per subscription, never stored
    assert secret.startswith("whsec_") and len(secret) == 6 + 64
    assert secret == services.webhook_subscription_secret(
        subscription=WebhookSubscription.objects.get(pk=first.pk)
    )
    assert secret != services.webhook_subscription_secret(subscription=second)
    stored = WebhookSubscription.objects.filter(pk=first.pk).values().get()
    assert secret not in json.dumps(stored, default=str)
    # when: rotated
    audits = AuditEvent.objects.count()
    rotated = services.webhook_subscription_rotate_secret(subscription_id=first.pk, actor="user:1")
    # then
    assert services.webhook_subscription_secret(subscription=rotated) != secret
    assert AuditEvent.objects.count() == audits + 1
    audit = AuditEvent.objects.latest("pk")
    assert (audit.action, audit.object_id, audit.actor) == (
        "webhook_subscription.secret_rotated",
        str(first.pk),
        "user:1",
    )
    assert secret not in json.dumps(audit.data)
    # and a new SECRET_KEY changes every secret
    before_key = services.webhook_subscription_secret(subscription=second)
    settings.SECRET_KEY = "another-secret-key-for-this-test"
    assert services.webhook_subscription_secret(subscription=second) != before_key


def test_a_rotated_secret_signs_the_next_attempt(org, receiver, capture, retry_settings):
    # given: a first attempt failed, then the secret was rotated
    sub = subscription(org, receiver.url)
    delivery = only_delivery(emit(org, capture=capture))
    receiver.status = 500
    attempt(delivery, capture=capture)
    old = services.webhook_subscription_secret(subscription=sub)
    sub = services.webhook_subscription_rotate_secret(subscription_id=sub.pk, actor="test")
    new = services.webhook_subscription_secret(subscription=sub)
    # when: the retry runs
    receiver.status = 200
    make_due(delivery)
    attempt(delivery, capture=capture)
    # then
    request = receiver.requests[-1]
    header = request.headers["Webhook-Signature"]
    assert services.webhook_signature_verify(secret=new, header=header, body=request.body)
    assert not services.webhook_signature_verify(secret=old, header=header, body=request.body)


# --- subscriptions ----------------------------------------------------------------


def test_create_keeps_known_events_in_canonical_order_and_audits(org):
    # given
    audits = AuditEvent.objects.count()
    # when
    sub = services.webhook_subscription_create(
        organisation=org,
        url=" https://pms.example.test/hooks ",
        events=["hold.created", "voucher.issued", "hold.created"],
        actor="user:7",
    )
    # then
    sub.refresh_from_db()
    assert (sub.url, sub.events, sub.active) == (
        "https://pms.example.test/hooks",
        ["voucher.issued", "hold.created"],
        True,
    )
    assert AuditEvent.objects.count() == audits + 1
    assert AuditEvent.objects.latest("pk").action == "webhook_subscription.created"


@pytest.mark.parametrize(
    "url, events, field",
    [
        ("ftp://pms.example.test/hooks", ["voucher.issued"], "url"),
        ("pms.example.test/hooks", ["voucher.issued"], "url"),
        ("javascript:alert(1)", ["voucher.issued"], "url"),
        ("https://" + "a" * 500 + ".test/", ["voucher.issued"], "url"),
        ("https://pms.example.test/hooks", [], "events"),
        ("https://pms.example.test/hooks", ["voucher.exploded"], "events"),
        ("https://pms.example.test/hooks", "voucher.issued", "events"),
        ("https://pms.example.test/hooks", [1], "events"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(org, url, events, field):
    # given
    before = (WebhookSubscription.objects.count(), AuditEvent.objects.count())
    # when
    with pytest.raises(errors.ValidationError) as error:
        services.webhook_subscription_create(organisation=org, url=url, events=events, actor="test")
    # then
    assert error.value.field == field
    assert (WebhookSubscription.objects.count(), AuditEvent.objects.count()) == before


def test_update_refuses_bad_events_and_changes_nothing(org):
    # given
    sub = subscription(org, events=["voucher.paid"])
    audits = AuditEvent.objects.count()
    # when
    with pytest.raises(errors.ValidationError):
        services.webhook_subscription_update(
            subscription_id=sub.pk, actor="test", url="https://new.example.test", events=[]
        )
    # then
    sub.refresh_from_db()
    assert (sub.url, sub.events) == ("https://receiver.invalid/hooks", ["voucher.paid"])
    assert AuditEvent.objects.count() == audits
