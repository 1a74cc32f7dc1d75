"""Shared helpers for the HTTP tests of the integration API (shared/API.md).

`make_api(...)` creates an API client (the model, through the service) and
returns an `Api`: a django.test.Client that sends its bearer token and JSON.
Import the fixtures into a test module to use them:

    from tests.api_helpers import api, make_api  # noqa: F401
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from hotel_vouchers.api_clients.models import SCOPES
from hotel_vouchers.api_clients.models import ApiClient as ApiClientModel
from hotel_vouchers.api_clients.services import api_client_create
from hotel_vouchers.properties.models import Hotel, Location, Organisation
from tests.factories import snapshot

BASE = "/api/v1"
ALL_SCOPES = list(SCOPES)
PROBLEM_JSON = "application/problem+json"
MONEY = re.compile(r"^-?[0-9]+\.[0-9]{2}$")
VOUCHER_FIELDS = {
    "code",
    "status",
    "type",
    "product",
    "hotel",
    "cross_hotel",
    "currency",
    "original_value",
    "balance",
    "held",
    "available",
    "issued_at",
    "paid_at",
    "valid_until",
    "positions",
    "recipient_name",
    "links",
}
POSITION_FIELDS = {
    "id",
    "label",
    "subcode",
    "amount",
    "remaining",
    "partial_allowed",
    "locations",
}
TRANSACTION_FIELDS = {
    "id",
    "type",
    "amount",
    "currency",
    "balance_after",
    "position_id",
    "hold_id",
    "location",
    "reference",
    "created_at",
}
HOLD_FIELDS = {
    "id",
    "code",
    "amount",
    "currency",
    "reference",
    "status",
    "expires_at",
    "captured_amount",
}


class Api:
    """A test HTTP client acting as one API client: bearer token, JSON bodies."""

    def __init__(
        self,
        model: ApiClientModel | None,
        token: str | None,
        *,
        remote_addr: str = "127.0.0.1",
    ) -> None:
        self.model = model
        self.token = token
        self.http = Client(REMOTE_ADDR=remote_addr)

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        sent = {} if self.token is None else {"Authorization": f"Bearer {self.token}"}
        sent.update(headers or {})
        return sent

    def get(self, path: str, params: dict[str, Any] | None = None, **headers: str):
        return self.http.get(BASE + path, params or {}, headers=self._headers(headers))

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        raw: str | bytes | None = None,
        key: str | None = None,
        **headers: str,
    ):
        """POST `body` as JSON (or `raw` bytes as they are); `key` is the Idempotency-Key."""
        if key is not None:
            headers["Idempotency-Key"] = key
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        return self.http.post(
            BASE + path, data, content_type="application/json", headers=self._headers(headers)
        )


def code_path(code: str) -> str:
    """A code as a path segment (spaces and all, as a person would type it)."""
    return quote(code, safe="")


@pytest.fixture
def make_api(org: Organisation) -> Callable[..., Api]:
    """make_api(scopes=..., hotel=..., location=..., organisation=..., remote_addr=...)."""

    def make(
        *,
        scopes: list[str] | None = None,
        hotel: Hotel | None = None,
        location: Location | None = None,
        organisation: Organisation | None = None,
        remote_addr: str = "127.0.0.1",
        name: str = "POS",
    ) -> Api:
        model, token = api_client_create(
            organisation=organisation or org,
            name=name,
            scopes=ALL_SCOPES if scopes is None else scopes,
            actor="test",
            hotel=hotel,
            location=location,
        )
        return Api(model, token, remote_addr=remote_addr)

    return make


@pytest.fixture
def api(make_api: Callable[..., Api], hotel_a: Hotel) -> Api:
    """An unbound client of the organisation with every scope."""
    return make_api()


# --- assertions ----------------------------------------------------------------


def problem(response, status: int, code: str) -> dict[str, Any]:
    """The problem body of an error response, after checking its shape (RFC 9457)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert {"type", "title", "status", "code", "detail"} <= set(body), body
    assert (body["status"], body["code"]) == (status, code), body
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    return body


def refused(
    call: Callable[[], Any], voucher_ids: int | list[int], status: int, code: str
) -> dict[str, Any]:
    """Given vouchers, when `call` is refused with `status`/`code`, then nothing changed."""
    ids = [voucher_ids] if isinstance(voucher_ids, int) else voucher_ids
    before = [snapshot(voucher_id) for voucher_id in ids]
    body = problem(call(), status, code)
    assert [snapshot(voucher_id) for voucher_id in ids] == before
    return body


def ok(response, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    assert response["Content-Type"].split(";")[0] == "application/json"
    return response.json()


def assert_money(value: Any) -> None:
    assert isinstance(value, str) and MONEY.match(value), value


def assert_utc_time(value: Any) -> datetime:
    """An ISO 8601 time with an explicit UTC offset."""
    assert isinstance(value, str), value
    moment = datetime.fromisoformat(value)
    assert moment.utcoffset() == timedelta(0), value
    return moment


def assert_voucher_shape(body: dict[str, Any]) -> None:
    assert set(body) - {"position"} == VOUCHER_FIELDS, set(body) ^ VOUCHER_FIELDS
    for field in ("original_value", "balance", "held", "available"):
        assert_money(body[field])
    assert (
        re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", body["code"]) or body["code"].isalnum()
    )
    assert set(body["hotel"]) == {"id", "slug"}
    assert_utc_time(body["issued_at"])
    if body["paid_at"] is not None:
        assert_utc_time(body["paid_at"])
    for position in body["positions"] + ([body["position"]] if "position" in body else []):
        assert set(position) == POSITION_FIELDS
        assert_money(position["amount"])
        assert_money(position["remaining"])
    assert set(body["links"]) >= {"pdf"}


def assert_transaction_shape(body: dict[str, Any]) -> None:
    assert set(body) == TRANSACTION_FIELDS, set(body) ^ TRANSACTION_FIELDS
    assert_money(body["amount"])
    assert_money(body["balance_after"])
    assert_utc_time(body["created_at"])


def assert_hold_shape(body: dict[str, Any]) -> None:
    assert set(body) == HOLD_FIELDS, set(body) ^ HOLD_FIELDS
    assert_money(body["amount"])
    assert_money(body["captured_amount"])
    assert_utc_time(body["expires_at"])
