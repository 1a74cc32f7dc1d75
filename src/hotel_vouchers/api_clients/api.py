"""Who am I: the calling client, its scopes and bindings."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from hotel_vouchers.api_clients.models import ApiClient
from hotel_vouchers.core.prepared import fetch_one
from hotel_vouchers.properties.models import Organisation
from hotel_vouchers.vouchers.schemas import Problem

router = Router(tags=["clients"])


class ClientOut(Schema):
    id: int
    name: str
    organisation: str = Field(description="Slug of the client's organisation.")
    hotel: str | None = Field(description="Slug of the hotel the client is bound to, if any.")
    location: str | None = Field(
        description="Slug of the location the client is bound to; it redeems there by default "
        "and nowhere else."
    )
    scopes: list[str]


@router.get("/me", response={200: ClientOut, 401: Problem}, summary="The calling API client")
def me(request: HttpRequest):
    client: ApiClient = request.auth
    return {
        "id": client.pk,
        "name": client.name,
        "organisation": fetch_one(Organisation, where={"id": client.organisation_id}).slug,
        "hotel": client.hotel.slug if client.hotel else None,
        "location": client.location.slug if client.location else None,
        "scopes": client.scopes,
    }
