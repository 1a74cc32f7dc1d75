from django import forms
from django.contrib import admin, messages
from django.db import models
from unfold.admin import ModelAdmin
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget, UnfoldAdminURLInputWidget

from hotel_vouchers.core.admin import ReadOnlyAdmin, ReadOnlyInline
from hotel_vouchers.webhooks.models import (
    URL_MAX_LENGTH,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
    WebhookSubscription,
)
from hotel_vouchers.webhooks.services import (
    webhook_subscription_create,
    webhook_subscription_rotate_secret,
    webhook_subscription_secret,
    webhook_subscription_update,
)


class WebhookSubscriptionForm(forms.ModelForm):
    # A URL typed without a scheme becomes https (Django 6's default).
    url = forms.URLField(
        label="URL",
        max_length=URL_MAX_LENGTH,
        assume_scheme="https",
        widget=UnfoldAdminURLInputWidget,
        help_text=WebhookSubscription._meta.get_field("url").help_text,
    )
    events = forms.MultipleChoiceField(
        choices=EventType.choices, widget=UnfoldAdminCheckboxSelectMultipleWidget
    )

    class Meta:
        model = WebhookSubscription
        fields = ["organisation", "url", "events", "active"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ModelAdmin):
    # The model field's own form field, built before the form's declared one replaces it.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    form = WebhookSubscriptionForm
    list_display = ["url", "organisation", "events_display", "active", "created_at"]
    list_filter = ["active", "organisation"]
    search_fields = ["url"]
    actions = ["rotate_secret"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ["created_at"]
        # A subscription stays with its organisation: its history belongs there.
        return ["organisation", "signing_secret", "created_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["organisation", "url", "events", "active"]
        return ["organisation", "url", "events", "active", "signing_secret", "created_at"]

    @admin.display(description="events")
    def events_display(self, obj: WebhookSubscription) -> str:
        return ", ".join(obj.events)

    @admin.display(description="signing secret")
    def signing_secret(self, obj: WebhookSubscription) -> str:
        # Derived, never stored: give it to the receiver to verify Webhook-Signature.
        return webhook_subscription_secret(subscription=obj) if obj.pk else "-"

    def save_model(self, request, obj, form, change):
        data, actor = form.cleaned_data, f"user:{request.user.pk}"
        if change:
            saved = webhook_subscription_update(
                subscription_id=obj.pk,
                actor=actor,
                url=data["url"],
                events=data["events"],
                active=data["active"],
            )
        else:
            saved = webhook_subscription_create(
                organisation=data["organisation"],
                url=data["url"],
                events=data["events"],
                active=data["active"],
                actor=actor,
            )
        # The admin goes on with `obj` (redirect, log entry): make it the saved row.
        obj.pk = saved.pk
        obj.secret_salt = saved.secret_salt
        obj.created_at = saved.created_at
        obj._state.adding = False
        obj._state.db = saved._state.db

    @admin.action(description="Rotate the signing secret of the selected subscriptions")
    def rotate_secret(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        for subscription_id in ids:
            webhook_subscription_rotate_secret(
                subscription_id=subscription_id, actor=f"user:{request.user.pk}"
            )
        messages.success(
            request,
            f"{len(ids)} secret(s) rotated: give each receiver its new secret "
            "(shown on the subscription's page).",
        )


class DeliveryInline(ReadOnlyInline):
    show_change_link = True
    model = WebhookDelivery
    fields = ["subscription", "status", "attempts", "last_status_code", "next_attempt_at"]
    readonly_fields = fields


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "type", "organisation", "created_at"]
    list_filter = ["type", "organisation"]
    search_fields = ["public_id"]
    list_select_related = ["organisation"]
    fields = ["public_id", "type", "organisation", "created_at", "payload"]
    readonly_fields = fields
    inlines = [DeliveryInline]


class AttemptInline(ReadOnlyInline):
    show_change_link = True
    model = WebhookAttempt
    show_change_link = False
    fields = ["number", "started_at", "duration_ms", "status_code", "error", "response_body"]
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "event_type",
        "event",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event__type", "subscription__organisation"]
    search_fields = ["event__public_id", "subscription__url"]
    list_select_related = ["event", "subscription"]
    fields = [
        "event",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [AttemptInline]

    @admin.display(description="type", ordering="event__type")
    def event_type(self, obj: WebhookDelivery) -> str:
        return obj.event.type


@admin.register(WebhookAttempt)
class WebhookAttemptAdmin(ReadOnlyAdmin):
    list_display = ["delivery", "number", "started_at", "duration_ms", "status_code", "error"]
    list_filter = ["status_code", "delivery__event__type"]
    search_fields = ["delivery__event__public_id", "delivery__subscription__url"]
    list_select_related = ["delivery"]
    fields = [
        "delivery",
        "number",
        "started_at",
        "duration_ms",
        "status_code",
        "error",
        "response_body",
    ]
    readonly_fields = fields
