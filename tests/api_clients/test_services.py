import pytest

from hotel_vouchers.api_clients.models import ApiClient
from hotel_vouchers.api_clients.services import (
    api_client_authenticate,
    api_client_create,
    api_client_revoke,
)
from hotel_vouchers.core.errors import ValidationError
from tests import factories


def test_token_is_returned_once_and_only_its_hash_is_stored(org, bar):
    client, token = api_client_create(
        organisation=org,
        name="POS bar",
        actor="t",
        scopes=["vouchers:read", "vouchers:redeem"],
        location=bar,
    )
    stored = ApiClient.objects.get(pk=client.pk)
    secret = token.split("_", 2)[2]
    assert secret not in stored.token_hash and len(stored.token_hash) == 64
    assert stored.hotel_id == bar.hotel_id  # bound to the location's hotel
    assert api_client_authenticate(token=token).pk == client.pk


@pytest.mark.parametrize("token", ["", "hvk", "hvk_x_y", "Bearer x", "hvk_{prefix}_wrong"])
def test_wrong_tokens_authenticate_nobody(org, token):
    client, _ = api_client_create(organisation=org, name="PMS", actor="t", scopes=["vouchers:read"])
    assert api_client_authenticate(token=token.format(prefix=client.token_prefix)) is None


def test_revoked_client_authenticates_no_more(org):
    client, token = api_client_create(organisation=org, name="PMS", actor="t", scopes=["sync"])
    api_client_revoke(client_id=client.pk, actor="t")
    assert api_client_authenticate(token=token) is None


@pytest.mark.parametrize(
    "kwargs",
    [{"scopes": []}, {"scopes": ["vouchers:delete"]}, {"name": ""}, {"name": "x" * 201}],
)
def test_bad_clients_are_refused(org, kwargs):
    args = {"name": "PMS", "scopes": ["vouchers:read"], **kwargs}
    with pytest.raises(ValidationError):
        api_client_create(organisation=org, actor="t", **args)
    assert ApiClient.objects.count() == 0


def test_binding_to_another_organisations_hotel_is_refused(org, hotel_a):
    other = factories.hotel(factories.organisation())
    with pytest.raises(ValidationError):
        api_client_create(organisation=org, name="x", scopes=["sync"], actor="t", hotel=other)
    with pytest.raises(ValidationError):
        api_client_create(
            organisation=org,
            name="x",
            scopes=["sync"],
            actor="t",
            hotel=hotel_a,
            location=factories.location(factories.hotel(org)),
        )
    assert ApiClient.objects.count() == 0
