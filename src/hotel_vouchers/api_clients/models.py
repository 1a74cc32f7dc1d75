from django.db import models

from hotel_vouchers.properties.models import Hotel, Location, Organisation

SCOPES = ("vouchers:read", "vouchers:redeem", "vouchers:issue", "checkout", "sync")


class ApiClient(models.Model):
    """A PMS, POS register or booking engine. Only a hash of its token is kept."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="api_clients"
    )
    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, null=True, blank=True)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True)
    name = models.CharField(max_length=200)
    scopes = models.JSONField(default=list)
    token_prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API client"

    def __str__(self) -> str:
        return self.name

    @property
    def actor(self) -> str:
        return f"api_client:{self.pk}"
