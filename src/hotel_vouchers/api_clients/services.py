from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hotel_vouchers.api_clients.models import SCOPES, ApiClient
from hotel_vouchers.core.errors import ValidationError
from hotel_vouchers.core.models import AuditEvent
from hotel_vouchers.core.prepared import fetch_one
from hotel_vouchers.properties.models import Hotel, Location, Organisation

TOKEN_PREFIX = "hvk"


def _hash(secret: str) -> str:
    # Tokens carry 256 random bits, so a plain SHA-256 is enough (no stretching).
    return hashlib.sha256(secret.encode()).hexdigest()


def api_client_create(
    *,
    organisation: Organisation,
    name: str,
    scopes: list[str],
    actor: str,
    hotel: Hotel | None = None,
    location: Location | None = None,
) -> tuple[ApiClient, str]:
    """A new client and its token; the token is returned once and never stored."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError("A name of 1-200 characters is required.", field="name")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValidationError(
            f"Unknown or missing scopes {unknown}; use {', '.join(SCOPES)}.", field="scopes"
        )
    if hotel is not None and hotel.organisation_id != organisation.pk:
        raise ValidationError("This hotel belongs to another organisation.", field="hotel")
    if location is not None:
        if location.hotel.organisation_id != organisation.pk:
            raise ValidationError(
                "This location belongs to another organisation.", field="location"
            )
        if hotel is not None and location.hotel_id != hotel.pk:
            raise ValidationError("This location belongs to another hotel.", field="location")
        hotel = location.hotel
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        client = ApiClient.objects.create(
            organisation=organisation,
            hotel=hotel,
            location=location,
            name=name,
            scopes=sorted(set(scopes)),
            token_prefix=prefix,
            token_hash=_hash(secret),
        )
        AuditEvent.objects.create(
            organisation_id=organisation.pk,
            actor=actor,
            action="api_client.created",
            object_type="apiclient",
            object_id=str(client.pk),
            data={"scopes": client.scopes},
        )
    return client, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def api_client_authenticate(*, token: str) -> ApiClient | None:
    """The active client this token belongs to (with its hotel and location loaded;
    the organisation loads when asked for), or None. Runs on every API request:
    prepared reads only."""
    parts = (token or "").split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    client = fetch_one(ApiClient, where={"token_prefix": parts[1]}, extra='"revoked_at" IS NULL')
    if client is None or not hmac.compare_digest(client.token_hash, _hash(parts[2])):
        return None
    if client.hotel_id is not None:
        client.hotel = fetch_one(Hotel, where={"id": client.hotel_id})
    if client.location_id is not None:
        location = fetch_one(Location, where={"id": client.location_id})
        location.hotel = client.hotel
        client.location = location
    return client


def api_client_revoke(*, client_id: int, actor: str) -> ApiClient:
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client_id)
        if client.revoked_at is None:
            client.revoked_at = timezone.now()
            client.save(update_fields=["revoked_at"])
            AuditEvent.objects.create(
                organisation_id=client.organisation_id,
                actor=actor,
                action="api_client.revoked",
                object_type="apiclient",
                object_id=str(client.pk),
            )
        return client


LAST_USED_RESOLUTION = timedelta(seconds=60)


def api_client_touch(*, client: ApiClient) -> None:
    """Record the last use, at most once a minute (no write on most requests)."""
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at >= LAST_USED_RESOLUTION:
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
