from django.contrib import admin, messages
from unfold.admin import ModelAdmin

from hotel_vouchers.api_clients.models import ApiClient
from hotel_vouchers.api_clients.services import api_client_revoke


@admin.register(ApiClient)
class ApiClientAdmin(ModelAdmin):
    list_display = ["name", "organisation", "hotel", "location", "last_used_at", "revoked_at"]
    list_filter = ["organisation", "revoked_at"]
    readonly_fields = ["token_prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        # Tokens are shown once: clients are created with `create_api_client`.
        return False

    @admin.action(description="Revoke the selected clients")
    def revoke(self, request, queryset):
        for client in queryset:
            api_client_revoke(client_id=client.pk, actor=f"user:{request.user.pk}")
        messages.success(request, f"{queryset.count()} client(s) revoked.")
