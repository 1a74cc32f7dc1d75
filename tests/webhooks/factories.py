"""Factories for the webhook tests (organisations come from tests/factories.py)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from hotel_vouchers.properties.models import Organisation
from hotel_vouchers.webhooks.models import EVENT_TYPES, WebhookDelivery, WebhookSubscription
from hotel_vouchers.webhooks.services import webhook_subscription_create


def subscription(
    org: Organisation,
    url: str = "https://receiver.invalid/hooks",
    *,
    events: list[str] | None = None,
    active: bool = True,
) -> WebhookSubscription:
    return webhook_subscription_create(
        organisation=org,
        url=url,
        events=list(EVENT_TYPES) if events is None else events,
        active=active,
        actor="test",
    )


def make_due(delivery: WebhookDelivery) -> None:
    """Time passes: the scheduled retry of `delivery` is due now."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
