"""Background work of the webhooks app, run by the worker (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from hotel_vouchers.webhooks.services import webhook_delivery_attempt


@task()
def webhook_deliver(delivery_id: int) -> str:
    """One attempt of one delivery; the service schedules the next on failure.

    Takes an id (task arguments are JSON) and is idempotent: a delivery that
    is finished or not due yet is not sent again. Returns the delivery status.
    """
    return str(webhook_delivery_attempt(delivery_id=delivery_id).status)
