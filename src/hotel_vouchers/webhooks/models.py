"""Webhooks (API.md "Webhooks"): subscriptions, the events sent to them, and
every delivery attempt, so staff can see in the admin what a receiver got."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models

from hotel_vouchers.properties.models import Organisation


class EventType(models.TextChoices):
    VOUCHER_ISSUED = "voucher.issued"
    VOUCHER_PAID = "voucher.paid"
    VOUCHER_REDEEMED = "voucher.redeemed"
    VOUCHER_REVERSED = "voucher.reversed"
    VOUCHER_EXPIRED = "voucher.expired"
    VOUCHER_CANCELLED = "voucher.cancelled"
    HOLD_CREATED = "hold.created"
    HOLD_CAPTURED = "hold.captured"
    HOLD_RELEASED = "hold.released"
    HOLD_EXPIRED = "hold.expired"


EVENT_TYPES: tuple[str, ...] = tuple(EventType.values)
URL_MAX_LENGTH = 500

_url_validator = URLValidator(schemes=["http", "https"])


def validate_webhook_url(value: str) -> None:
    """An absolute http(s) URL: the receiver."""
    if not isinstance(value, str) or len(value) > URL_MAX_LENGTH:
        raise ValidationError(f"Enter an http or https URL of at most {URL_MAX_LENGTH} characters.")
    _url_validator(value)


def validate_event_types(value: Any) -> None:
    """A non-empty list of known event types."""
    if not isinstance(value, list) or not value:
        raise ValidationError("Choose at least one event type.")
    unknown = sorted({str(v) for v in value} - set(EVENT_TYPES))
    if unknown or not all(isinstance(v, str) for v in value):
        raise ValidationError(f"Unknown event types: {', '.join(unknown)}.")


def new_secret_salt() -> str:
    return secrets.token_hex(16)


class WebhookSubscription(models.Model):
    """An organisation's receiver: where to POST which events.

    The signing secret is never stored. It is derived when needed as
    ``"whsec_" + HMAC-SHA256(SECRET_KEY, "webhook-subscription:<pk>:<salt>")``
    (see `services.webhook_subscription_secret`), so it is recoverable for
    signing without a secret at rest. Rotating a secret means a new salt.
    Changing SECRET_KEY therefore rotates every webhook secret at once: every
    receiver must then be given its new secret (shown on the admin page).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="webhook_subscriptions"
    )
    url = models.URLField(
        "URL",
        max_length=URL_MAX_LENGTH,
        validators=[validate_webhook_url],
        help_text="The receiver: an http or https URL that accepts POST.",
    )
    events = models.JSONField(
        default=list,
        validators=[validate_event_types],
        help_text="The event types sent to this URL.",
    )
    active = models.BooleanField(default=True)
    secret_salt = models.CharField(
        max_length=64,
        default=new_secret_salt,
        editable=False,
        help_text="Input of the derived signing secret; a new salt rotates it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "active"])]

    def __str__(self) -> str:
        return self.url


class WebhookEvent(models.Model):
    """One thing that happened, as sent: `payload` is the body dict."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="webhook_events"
    )
    public_id = models.CharField(
        max_length=40, unique=True, help_text="The body's id and the Webhook-Id header."
    )
    type = models.CharField(max_length=40, choices=EventType.choices, db_index=True)
    payload = models.JSONField(help_text="The body: id, type, created_at, data.")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.type} {self.public_id}"


class WebhookDelivery(models.Model):
    """One event for one subscription, tried until it succeeds or runs out."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    # PROTECT: the delivery history outlives nothing by accident; deactivate instead.
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.PROTECT, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0, help_text="Attempts made so far.")
    next_attempt_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When a pending delivery is due (or until when an attempt runs).",
    )
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "subscription"], name="webhook_delivery_event_subscription_unique"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscription_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP POST of a delivery and what came back."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_records"
    )
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Connection error, timeout or bad status.")
    response_body = models.CharField(
        max_length=500, blank=True, help_text="The first 500 characters of the answer."
    )

    class Meta:
        ordering = ["delivery_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="webhook_attempt_number_unique"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error[:40]}"
