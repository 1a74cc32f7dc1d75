"""Authentication of the integration API through HTTP: tokens, /me, last use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hotel_vouchers.api_clients.models import ApiClient
from hotel_vouchers.api_clients.services import api_client_revoke
from tests.api_helpers import api, make_api, ok, problem  # noqa: F401 - fixtures
from tests.factories import value_voucher

ENDPOINTS = [
    ("get", "/me"),
    ("get", "/products"),
    ("get", "/vouchers/{code}"),
    ("get", "/vouchers"),
    ("post", "/vouchers/{code}/redemptions"),
    ("post", "/vouchers"),
]


def call(api, method: str, path: str, **headers: str):
    if method == "get":
        return api.get(path, **headers)
    return api.post(path, {"amount": "1.00"}, **headers)


def test_me_tells_the_client_who_it_is(make_api, org):
    body = ok(make_api(scopes=["sync"], name="PMS").get("/me"))
    assert body == {
        "id": body["id"],
        "name": "PMS",
        "organisation": org.slug,
        "hotel": None,
        "location": None,
        "scopes": ["sync"],
    }
    assert ApiClient.objects.get(pk=body["id"]).name == "PMS"


def test_me_names_the_bindings(make_api, bar):
    body = ok(make_api(location=bar, scopes=["vouchers:redeem", "vouchers:read"]).get("/me"))
    # bound to a location, the client is bound to its hotel too
    assert (body["hotel"], body["location"]) == ("hotel-a", "bar")
    assert body["scopes"] == ["vouchers:read", "vouchers:redeem"]


def _without_token(api):
    api.token = None
    return {}


def _wrong_secret(api):
    prefix = api.token.rsplit("_", 1)[0]
    api.token = f"{prefix}_{'A' * 43}"
    return {}


def _unknown_prefix(api):
    api.token = "hvk_000000000000_" + api.token.split("_", 2)[2]
    return {}


def _revoked(api):
    api_client_revoke(client_id=api.model.pk, actor="t")
    return {}


def _basic_scheme(api):
    token, api.token = api.token, None
    return {"Authorization": f"Basic {token}"}


def _empty_bearer(api):
    api.token = None
    return {"Authorization": "Bearer "}


@pytest.mark.parametrize(
    "spoil",
    [_without_token, _wrong_secret, _unknown_prefix, _revoked, _basic_scheme, _empty_bearer],
)
@pytest.mark.parametrize("method, path", ENDPOINTS)
def test_no_valid_token_is_unauthorized(api, hotel_a, spoil, method, path):
    voucher = value_voucher(hotel_a)
    headers = spoil(api)
    entries = voucher.entries.count()
    response = call(api, method, path.format(code=voucher.code), **headers)
    body = problem(response, 401, "unauthorized")
    assert response["WWW-Authenticate"] == "Bearer"
    assert voucher.code not in body["detail"]
    assert voucher.entries.count() == entries


def test_a_token_of_another_organisation_sees_nothing_of_this_one(make_api, hotel_a):
    from tests import factories

    voucher = value_voucher(hotel_a)
    stranger = make_api(organisation=factories.organisation())
    problem(stranger.get(f"/vouchers/{voucher.code}"), 404, "voucher_not_found")
    assert ok(stranger.get("/vouchers"))["results"] == []


def test_authentication_records_the_last_use_at_most_once_a_minute(api):
    assert ApiClient.objects.get(pk=api.model.pk).last_used_at is None
    before = timezone.now()
    ok(api.get("/me"))
    first = ApiClient.objects.get(pk=api.model.pk).last_used_at
    assert before <= first <= timezone.now()
    ok(api.get("/me"))
    assert ApiClient.objects.get(pk=api.model.pk).last_used_at == first
    # within the minute: unchanged; past it: recorded again
    recent = timezone.now() - timedelta(seconds=30)
    ApiClient.objects.filter(pk=api.model.pk).update(last_used_at=recent)
    ok(api.get("/me"))
    assert ApiClient.objects.get(pk=api.model.pk).last_used_at == recent
    old = timezone.now() - timedelta(seconds=61)
    ApiClient.objects.filter(pk=api.model.pk).update(last_used_at=old)
    before = timezone.now()
    ok(api.get("/me"))
    assert ApiClient.objects.get(pk=api.model.pk).last_used_at >= before


def test_a_refused_token_is_no_use(api):
    _wrong_secret(api)
    problem(api.get("/me"), 401, "unauthorized")
    assert ApiClient.objects.get(pk=api.model.pk).last_used_at is None
