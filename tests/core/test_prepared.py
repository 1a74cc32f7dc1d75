"""Prepared single-table reads return what the ORM returns."""

import pytest
from django.db import transaction

from hotel_vouchers.api_clients.models import ApiClient
from hotel_vouchers.api_clients.services import api_client_create, api_client_revoke
from hotel_vouchers.core.prepared import fetch_one
from hotel_vouchers.vouchers.models import Voucher
from tests import factories


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_a_row_by_several_fields_equals_the_orm_object(hotel_a):
    # Given a voucher with dates, booleans and texts
    voucher = factories.value_voucher(hotel_a, "25.00", cross_hotel=True, buyer_name="Zoë")

    # When it is read by organisation and code
    found = fetch_one(
        Voucher, where={"organisation_id": hotel_a.organisation_id, "code": voucher.code}
    )

    # Then every field is the ORM's, and the object is a saved one
    assert _fields(found) == _fields(Voucher.objects.get(pk=voucher.pk))
    assert found._state.adding is False


def test_no_row_is_none_and_another_organisation_finds_nothing(hotel_a):
    voucher = factories.value_voucher(hotel_a, "25.00")
    other = factories.organisation()
    assert fetch_one(Voucher, where={"organisation_id": other.pk, "code": voucher.code}) is None
    assert fetch_one(Voucher, where={"id": 987654}) is None


def test_the_extra_condition_applies(org):
    # Given a client, revoked
    client, _ = api_client_create(organisation=org, name="pos", scopes=["sync"], actor="t")
    where = {"token_prefix": client.token_prefix}
    assert fetch_one(ApiClient, where=where, extra='"revoked_at" IS NULL').pk == client.pk
    api_client_revoke(client_id=client.pk, actor="t")

    # Then the condition "not revoked" finds nothing any more, and without it the row is there
    assert fetch_one(ApiClient, where=where, extra='"revoked_at" IS NULL') is None
    assert fetch_one(ApiClient, where=where).revoked_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_inside_a_transaction(hotel_a):
    voucher = factories.value_voucher(hotel_a, "25.00")
    with transaction.atomic():
        locked = fetch_one(Voucher, where={"id": voucher.pk}, lock=True)
        assert locked.balance_minor == 2500
