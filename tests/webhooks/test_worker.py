"""The real path: a committed transaction enqueues, the database worker delivers."""

from __future__ import annotations

import json

import pytest
from django.db import transaction
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from hotel_vouchers.webhooks import services
from hotel_vouchers.webhooks.models import WebhookDelivery
from tests import factories
from tests.webhooks.factories import subscription


def run_worker() -> None:
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="webhooks-test",
        excluded_queue_names=[],
    ).run()


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_an_event_emitted_in_a_committed_transaction(receiver):
    # given
    org = factories.organisation()
    sub = subscription(org, receiver.url, events=["voucher.issued"])
    # when: a service emits inside its transaction, which commits
    with transaction.atomic():
        event = services.webhook_event_emit(
            organisation_id=org.pk, type="voucher.issued", data={"code": "AAAA-BBBB"}
        )
    [task] = DBTaskResult.objects.all()
    assert task.status == "READY"
    # ... and the worker runs what is queued
    run_worker()
    # then
    [request] = receiver.requests
    assert json.loads(request.body) == event.payload
    secret = services.webhook_subscription_secret(subscription=sub)
    assert services.webhook_signature_verify(
        secret=secret, header=request.headers["Webhook-Signature"], body=request.body
    )
    task.refresh_from_db()
    assert (task.status, task.return_value) == ("SUCCESSFUL", "succeeded")
    delivery = WebhookDelivery.objects.get(event=event)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 200)


@pytest.mark.django_db(transaction=True)
def test_the_worker_leaves_a_failed_attempts_retry_for_later(receiver, settings):
    # given: the receiver fails
    settings.WEBHOOK_RETRY_BASE_SECONDS = 60
    org = factories.organisation()
    subscription(org, receiver.url)
    receiver.status = 500
    with transaction.atomic():
        event = services.webhook_event_emit(
            organisation_id=org.pk, type="hold.created", data={"hold": 1}
        )
    # when: the worker runs until nothing is ready
    run_worker()
    # then: one call, the first task done, the retry waiting for its time
    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get(event=event)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    statuses = sorted(DBTaskResult.objects.values_list("status", "run_after"))
    assert [s for s, _ in statuses] == ["READY", "SUCCESSFUL"]
    ready = DBTaskResult.objects.get(status="READY")
    assert ready.run_after == delivery.next_attempt_at
