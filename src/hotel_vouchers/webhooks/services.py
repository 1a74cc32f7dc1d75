"""Webhooks: emit events inside the caller's transaction, deliver them from
the worker with retries and exponential backoff, record every attempt.

Delivery contract (API.md "Webhooks"): a POST with the JSON body
``{id, type, created_at, data}``, the headers ``Webhook-Id`` (the event id)
and ``Webhook-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">``
where the key is the subscription's secret (UTF-8) and ``body`` the exact
bytes sent. A 2xx answer is success; anything else is tried again later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from hotel_vouchers.core.errors import ValidationError
from hotel_vouchers.core.models import AuditEvent
from hotel_vouchers.properties.models import Organisation
from hotel_vouchers.webhooks.models import (
    EVENT_TYPES,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
    new_secret_salt,
    validate_event_types,
    validate_webhook_url,
)

Status = WebhookDelivery.Status

# Defaults; each can be overridden by the setting of the same name.
WEBHOOK_RETRY_BASE_SECONDS = 30
WEBHOOK_RETRY_MAX_SECONDS = 3600
WEBHOOK_MAX_ATTEMPTS = 8
WEBHOOK_TIMEOUT_SECONDS = 5.0

SIGNATURE_HEADER = "Webhook-Signature"
ID_HEADER = "Webhook-Id"
USER_AGENT = "hotel-vouchers-webhooks"
SIGNATURE_TOLERANCE_SECONDS = 300
RESPONSE_EXCERPT = 500
# An attempt holds its delivery this long past the timeout: a second task for
# the same delivery (a duplicate, a requeue) finds it not due and sends nothing.
CLAIM_MARGIN_SECONDS = 60


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def webhook_retry_delay(*, attempt: int) -> int:
    """Seconds to wait after failed attempt number `attempt` (1-based)."""
    base = int(_setting("WEBHOOK_RETRY_BASE_SECONDS", WEBHOOK_RETRY_BASE_SECONDS))
    cap = int(_setting("WEBHOOK_RETRY_MAX_SECONDS", WEBHOOK_RETRY_MAX_SECONDS))
    # The exponent is bounded so a large attempt number cannot build a huge int.
    return min(base * 2 ** min(max(attempt - 1, 0), 32), cap)


# --- secrets and signatures --------------------------------------------------


def webhook_subscription_secret(*, subscription: WebhookSubscription) -> str:
    """The signing secret, derived from SECRET_KEY, the primary key and the salt."""
    if subscription.pk is None:
        raise ValueError("A subscription has a secret once it is saved.")
    message = f"webhook-subscription:{subscription.pk}:{subscription.secret_salt}"
    digest = hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256)
    return "whsec_" + digest.hexdigest()


def _sign(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The Webhook-Signature header value for `body` sent at `timestamp`."""
    return f"t={int(timestamp)},v1={_sign(secret, int(timestamp), body)}"


def webhook_signature_verify(
    *,
    secret: str,
    header: str,
    body: bytes,
    tolerance_seconds: int = SIGNATURE_TOLERANCE_SECONDS,
    now: int | None = None,
) -> bool:
    """For receivers: True if `header` signs exactly `body` with `secret` and
    its timestamp is within `tolerance_seconds` of `now` (replay protection)."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return False
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    current = int(time.time()) if now is None else now
    if abs(current - timestamp) > tolerance_seconds:
        return False
    expected = _sign(secret, timestamp, body)
    # Every candidate is compared so the time taken does not depend on which matched.
    matches = [hmac.compare_digest(expected, candidate) for candidate in candidates]
    return any(matches)


# --- subscriptions -----------------------------------------------------------


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    try:
        validate_webhook_url(url)
    except DjangoValidationError as error:
        raise ValidationError(" ".join(error.messages), field="url") from error
    return url


def _clean_events(events: list[str]) -> list[str]:
    try:
        validate_event_types(list(events) if isinstance(events, list | tuple) else events)
    except DjangoValidationError as error:
        raise ValidationError(" ".join(error.messages), field="events") from error
    # Canonical order and no duplicates, whatever order they came in.
    return [t for t in EVENT_TYPES if t in set(events)]


def _audit(subscription: WebhookSubscription, *, actor: str, action: str, **data: Any) -> None:
    AuditEvent.objects.create(
        organisation_id=subscription.organisation_id,
        actor=actor,
        action=action,
        object_type="webhooksubscription",
        object_id=str(subscription.pk),
        data=data,
    )


def webhook_subscription_create(
    *,
    organisation: Organisation,
    url: str,
    events: list[str],
    actor: str,
    active: bool = True,
) -> WebhookSubscription:
    url = _clean_url(url)
    events = _clean_events(events)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            organisation=organisation, url=url, events=events, active=active
        )
        _audit(
            subscription,
            actor=actor,
            action="webhook_subscription.created",
            url=url,
            events=events,
            active=active,
        )
    return subscription


def webhook_subscription_update(
    *,
    subscription_id: int,
    actor: str,
    url: str | None = None,
    events: list[str] | None = None,
    active: bool | None = None,
) -> WebhookSubscription:
    """Change what is given; pending deliveries go to the new URL."""
    changes: dict[str, Any] = {}
    if url is not None:
        changes["url"] = _clean_url(url)
    if events is not None:
        changes["events"] = _clean_events(events)
    if active is not None:
        changes["active"] = bool(active)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
        changed = {k: v for k, v in changes.items() if getattr(subscription, k) != v}
        if not changed:
            return subscription
        for field, value in changed.items():
            setattr(subscription, field, value)
        subscription.save(update_fields=list(changed))
        _audit(subscription, actor=actor, action="webhook_subscription.updated", **changed)
    return subscription


def webhook_subscription_rotate_secret(*, subscription_id: int, actor: str) -> WebhookSubscription:
    """A new secret at once: the receiver must be given it (shown in the admin)."""
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
        subscription.secret_salt = new_secret_salt()
        subscription.save(update_fields=["secret_salt"])
        # The audit row says that it happened, never the secret itself.
        _audit(subscription, actor=actor, action="webhook_subscription.secret_rotated")
    return subscription


# --- events ------------------------------------------------------------------


def _enqueue(delivery_id: int, run_after: datetime | None = None) -> None:
    # Imported here: the task module imports this one.
    from hotel_vouchers.webhooks.tasks import webhook_deliver

    task = webhook_deliver.using(run_after=run_after) if run_after else webhook_deliver
    task.enqueue(delivery_id)


def _subscriptions(organisation_id: int) -> list[tuple[int, list[str]]]:
    """(id, events) of the organisation's active subscriptions.

    On the hot path of every redemption: plain SQL, since the ORM would cost
    more than the query; the events are filtered in Python because SQLite has
    no JSON containment."""
    qn = connection.ops.quote_name
    sql = "SELECT {}, {} FROM {} WHERE {} = %s AND {}".format(
        qn("id"),
        qn("events"),
        qn(WebhookSubscription._meta.db_table),
        qn("organisation_id"),
        qn("active"),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [organisation_id])
        rows = cursor.fetchall()
    return [(pk, json.loads(events) if isinstance(events, str) else events) for pk, events in rows]


def webhook_event_emit(
    *, organisation_id: int, type: str, data: dict | Callable[[], dict]
) -> WebhookEvent | None:
    """Record an event for every active subscription that wants it, and
    deliver it once the caller's transaction commits.

    Call it inside the transaction of the change it reports: a rollback
    takes the event, its deliveries and their tasks with it. Without a
    subscription for this type it costs one query and writes nothing; `data`
    may be a function, called only when a subscription wants the event.
    """
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event type {type!r}.")
    wanted = [pk for pk, events in _subscriptions(organisation_id) if type in (events or [])]
    if not wanted:
        return None
    if callable(data):
        data = data()
    if not isinstance(data, dict):
        raise ValueError("Webhook event data must be a dict.")
    now = timezone.now()
    public_id = f"evt_{uuid.uuid4().hex}"
    body = {
        "id": public_id,
        "type": type,
        "created_at": now.astimezone(UTC).isoformat(),
        "data": data,
    }
    # Round-trip through JSON so the stored payload is exactly what is sent
    # (Decimals and datetimes become strings now, not at send time).
    payload = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
    with transaction.atomic():
        event = WebhookEvent.objects.create(
            organisation_id=organisation_id,
            public_id=public_id,
            type=type,
            payload=payload,
            created_at=now,
        )
        for subscription_id in sorted(wanted):
            delivery = WebhookDelivery.objects.create(
                event=event, subscription_id=subscription_id, next_attempt_at=now
            )
            # robust: a failing enqueue must not turn the caller's committed
            # change into an error; the delivery stays pending for a requeue.
            transaction.on_commit(partial(_enqueue, delivery.pk), robust=True)
    return event


# --- delivery ----------------------------------------------------------------


def webhook_event_body(*, event: WebhookEvent) -> bytes:
    """The exact bytes POSTed: the same on every attempt, whatever the database
    did to the key order of the stored JSON."""
    return json.dumps(
        event.payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode()


@dataclass(frozen=True, slots=True)
class _Response:
    status_code: int | None
    body: str
    error: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would turn the POST into a GET without the body: count it as a failure.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _excerpt(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")[:RESPONSE_EXCERPT]


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> _Response:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=timeout) as response:
            return _Response(response.status, _excerpt(response.read(RESPONSE_EXCERPT * 4)), "")
    except urllib.error.HTTPError as error:
        try:
            text = _excerpt(error.read(RESPONSE_EXCERPT * 4))
        except Exception:
            text = ""
        finally:
            error.close()
        return _Response(error.code, text, f"HTTP {error.code} {error.reason}")
    except urllib.error.URLError as error:
        return _Response(None, "", f"{type(error.reason).__name__}: {error.reason}")
    except Exception as error:
        # Timeouts while reading, resets, malformed answers: the receiver's
        # problem, recorded, never raised into the worker.
        return _Response(None, "", f"{type(error).__name__}: {error}")


def _claim(delivery_id: int, now: datetime) -> tuple[WebhookDelivery, bool]:
    """Take the next attempt of a due, pending delivery (short transaction)."""
    timeout = float(_setting("WEBHOOK_TIMEOUT_SECONDS", WEBHOOK_TIMEOUT_SECONDS))
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("event", "subscription")
            .get(pk=delivery_id)
        )
        if delivery.status != Status.PENDING:
            return delivery, False
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return delivery, False
        if not delivery.subscription.active:
            delivery.status = Status.FAILED
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "next_attempt_at"])
            return delivery, False
        delivery.attempts += 1
        delivery.next_attempt_at = now + timedelta(seconds=timeout + CLAIM_MARGIN_SECONDS)
        delivery.save(update_fields=["attempts", "next_attempt_at"])
    return delivery, True


def webhook_delivery_attempt(*, delivery_id: int) -> WebhookDelivery:
    """Send one attempt of a delivery and record it; schedule the next one on failure.

    Idempotent: a delivery that has succeeded or failed, or is not due yet
    (another attempt runs or a retry is scheduled), is left alone. No database
    transaction is open while the receiver is called.
    """
    started = timezone.now()
    delivery, claimed = _claim(delivery_id, started)
    if not claimed:
        return delivery
    number = delivery.attempts
    event, subscription = delivery.event, delivery.subscription
    body = webhook_event_body(event=event)
    secret = webhook_subscription_secret(subscription=subscription)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        ID_HEADER: event.public_id,
        SIGNATURE_HEADER: webhook_signature(secret=secret, timestamp=int(time.time()), body=body),
    }
    timeout = float(_setting("WEBHOOK_TIMEOUT_SECONDS", WEBHOOK_TIMEOUT_SECONDS))
    clock = time.monotonic()
    response = _post(subscription.url, body, headers, timeout)
    duration_ms = int((time.monotonic() - clock) * 1000)
    finished = timezone.now()
    max_attempts = int(_setting("WEBHOOK_MAX_ATTEMPTS", WEBHOOK_MAX_ATTEMPTS))
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=started,
            duration_ms=duration_ms,
            status_code=response.status_code,
            error=response.error,
            response_body=response.body,
        )
        delivery.last_status_code = response.status_code
        if response.ok:
            delivery.status = Status.SUCCEEDED
            delivery.next_attempt_at = None
        elif number >= max_attempts:
            delivery.status = Status.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = finished + timedelta(
                seconds=webhook_retry_delay(attempt=number)
            )
            transaction.on_commit(
                partial(_enqueue, delivery.pk, delivery.next_attempt_at), robust=True
            )
        delivery.save(update_fields=["status", "next_attempt_at", "last_status_code"])
    return delivery


def webhook_delivery_requeue_stalled(*, older_than_seconds: int = 3600) -> int:
    """Enqueue a task for pending deliveries overdue by `older_than_seconds`.

    A delivery stalls when its task was lost: the process died between commit
    and enqueue, or during an attempt. Safe to run at any time (e.g. hourly):
    an attempt only happens when the delivery is due, so a duplicate task
    sends nothing. Returns how many tasks were enqueued.
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    ids = list(
        WebhookDelivery.objects.filter(
            status=Status.PENDING, next_attempt_at__lte=cutoff
        ).values_list("pk", flat=True)
    )
    for delivery_id in ids:
        _enqueue(delivery_id)
    return len(ids)
