from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from unfold.admin import ModelAdmin

from hotel_vouchers.api_clients.models import SCOPES, ApiClient
from hotel_vouchers.api_clients.services import api_client_create, api_client_revoke
from hotel_vouchers.core.errors import DomainError


class ApiClientCreateForm(forms.ModelForm):
    """A new client: the token is made by the service and shown once."""

    scopes = forms.MultipleChoiceField(
        choices=[(s, s) for s in SCOPES], widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiClient
        fields = ["name", "organisation", "hotel", "location", "scopes"]

    def clean(self):
        data = super().clean()
        self.created = None
        if self.errors:
            return data
        try:
            self.created = api_client_create(
                organisation=data["organisation"],
                name=data["name"],
                scopes=data["scopes"],
                hotel=data.get("hotel"),
                location=data.get("location"),
                actor=self.actor,
            )
        except DomainError as error:
            self.add_error(error.field if error.field in self.fields else None, error.detail)
        return data


@admin.register(ApiClient)
class ApiClientAdmin(ModelAdmin):
    list_display = ["name", "organisation", "hotel", "location", "last_used_at", "revoked_at"]
    list_filter = ["organisation", "revoked_at"]
    readonly_fields = ["token_prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            return type(
                "ApiClientCreateForm", (ApiClientCreateForm,), {"actor": f"user:{request.user.pk}"}
            )
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [*self.readonly_fields, "organisation", "hotel", "location"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # The service created the client while validating the form (one transaction).
        created, token = form.created
        obj.pk = created.pk
        request._api_client_token = (created, token)

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)

    def log_addition(self, request, obj, message):
        return None  # the service writes the audit event

    def response_add(self, request, obj, post_url_continue=None):
        client, token = request._api_client_token
        return TemplateResponse(
            request,
            "admin/api_clients/token_created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "client": client,
                "token": token,
                "title": "API client created",
            },
            headers={"Cache-Control": "no-store"},
        )

    @admin.action(description="Revoke the selected clients")
    def revoke(self, request, queryset):
        for client in queryset:
            api_client_revoke(client_id=client.pk, actor=f"user:{request.user.pk}")
        messages.success(request, f"{queryset.count()} client(s) revoked.")
