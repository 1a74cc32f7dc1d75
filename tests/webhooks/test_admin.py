"""The webhook admin (unfold): every page renders; the secret is shown, not stored."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotel_vouchers.core.models import AuditEvent
from hotel_vouchers.webhooks import services
from hotel_vouchers.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from tests.webhooks.factories import subscription


@pytest.fixture
def delivered(org, receiver, django_capture_on_commit_callbacks):
    """A subscription with one event, one delivery and one attempt."""
    sub = subscription(org, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        event = services.webhook_event_emit(
            organisation_id=org.pk, type="voucher.paid", data={"code": "AAAA"}
        )
        services.webhook_delivery_attempt(delivery_id=event.deliveries.get().pk)
    return sub


@pytest.mark.parametrize(
    "model", [WebhookSubscription, WebhookEvent, WebhookDelivery, WebhookAttempt]
)
def test_every_list_and_detail_page_renders(admin_client, delivered, model):
    # given
    name = model._meta.model_name
    obj = model.objects.get()
    # when
    listing = admin_client.get(reverse(f"admin:webhooks_{name}_changelist"))
    detail = admin_client.get(reverse(f"admin:webhooks_{name}_change", args=[obj.pk]))
    # then
    assert listing.status_code == 200
    assert b"unfold" in listing.content.lower()
    assert detail.status_code == 200


@pytest.mark.parametrize(
    "query", ["status__exact=pending", "status__exact=succeeded", "event__type=voucher.paid"]
)
def test_deliveries_filter_by_status_and_type(admin_client, delivered, query):
    response = admin_client.get(reverse("admin:webhooks_webhookdelivery_changelist") + "?" + query)
    assert response.status_code == 200
    expected = 0 if query == "status__exact=pending" else 1
    assert response.context["cl"].result_count == expected


def test_the_change_page_shows_the_derived_secret(admin_client, delivered):
    # given
    secret = services.webhook_subscription_secret(subscription=delivered)
    # when
    page = admin_client.get(
        reverse("admin:webhooks_webhooksubscription_change", args=[delivered.pk])
    )
    # then
    assert secret.encode() in page.content


def test_the_rotate_action_gives_a_new_secret(admin_client, delivered):
    # given
    old = services.webhook_subscription_secret(subscription=delivered)
    # when
    response = admin_client.post(
        reverse("admin:webhooks_webhooksubscription_changelist"),
        {"action": "rotate_secret", "_selected_action": [delivered.pk]},
    )
    # then
    assert response.status_code == 302
    delivered.refresh_from_db()
    new = services.webhook_subscription_secret(subscription=delivered)
    assert new != old
    assert AuditEvent.objects.filter(action="webhook_subscription.secret_rotated").count() == 1


def test_adding_a_subscription_goes_through_the_service(admin_client, org):
    # when
    response = admin_client.post(
        reverse("admin:webhooks_webhooksubscription_add"),
        {
            "organisation": org.pk,
            "url": "https://pms.example.test/hooks",
            "events": ["hold.created", "voucher.redeemed"],
            "active": "on",
        },
    )
    # then
    assert response.status_code == 302
    sub = WebhookSubscription.objects.get()
    assert (sub.organisation_id, sub.events) == (org.pk, ["voucher.redeemed", "hold.created"])
    assert AuditEvent.objects.filter(
        action="webhook_subscription.created", object_id=str(sub.pk)
    ).exists()


@pytest.mark.parametrize(
    "url, events",
    [("ftp://pms.example.test/hooks", ["voucher.issued"]), ("https://pms.example.test", [])],
)
def test_the_add_form_refuses_bad_input_and_writes_nothing(admin_client, org, url, events):
    # given
    audits = AuditEvent.objects.count()
    # when
    response = admin_client.post(
        reverse("admin:webhooks_webhooksubscription_add"),
        {"organisation": org.pk, "url": url, "events": events, "active": "on"},
    )
    # then: the form comes back with an error
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert WebhookSubscription.objects.count() == 0
    assert AuditEvent.objects.count() == audits


def test_editing_a_subscription_goes_through_the_service(admin_client, delivered):
    # when
    response = admin_client.post(
        reverse("admin:webhooks_webhooksubscription_change", args=[delivered.pk]),
        {"url": "https://new.example.test/hooks", "events": ["voucher.issued"]},
    )
    # then: saved, deactivated (unchecked), audited
    assert response.status_code == 302
    delivered.refresh_from_db()
    assert (delivered.url, delivered.events, delivered.active) == (
        "https://new.example.test/hooks",
        ["voucher.issued"],
        False,
    )
    audit = AuditEvent.objects.filter(action="webhook_subscription.updated").get()
    assert audit.data["active"] is False


def test_events_and_deliveries_are_read_only(admin_client, delivered):
    # given
    event = WebhookEvent.objects.get()
    payload = event.payload
    # when
    add = admin_client.get(reverse("admin:webhooks_webhookevent_add"))
    change = admin_client.post(
        reverse("admin:webhooks_webhookevent_change", args=[event.pk]), {"type": "hold.created"}
    )
    delete = admin_client.post(
        reverse("admin:webhooks_webhookdelivery_delete", args=[event.deliveries.get().pk]),
        {"post": "yes"},
    )
    # then
    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    event.refresh_from_db()
    assert (event.type, event.payload) == ("voucher.paid", payload)
    assert WebhookDelivery.objects.count() == 1
