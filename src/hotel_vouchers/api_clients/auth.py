"""Bearer-token authentication and scopes for the integration API."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer

from hotel_vouchers.api_clients.models import ApiClient
from hotel_vouchers.api_clients.services import api_client_authenticate, api_client_touch
from hotel_vouchers.core.errors import Forbidden


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` of an active API client."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = api_client_authenticate(token=token)
        if client is not None:
            api_client_touch(client=client)
        return client


def client_of(request: HttpRequest, scope: str) -> ApiClient:
    """The authenticated client, if it has `scope` (403 `forbidden` otherwise)."""
    client: ApiClient = request.auth
    if scope not in client.scopes:
        raise Forbidden(f"This API client lacks the scope {scope}.", scope=scope)
    return client
