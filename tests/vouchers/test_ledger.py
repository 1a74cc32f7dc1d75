"""The ledger write path: the objects it returns are the ORM's, and it writes
only inside a transaction."""

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from hotel_vouchers.vouchers import ledger
from hotel_vouchers.vouchers.models import LedgerEntry, Voucher
from hotel_vouchers.vouchers.selectors import voucher_ledger_sum
from tests import factories


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.django_db
def test_lock_voucher_returns_what_the_orm_reads(hotel_a):
    # Given a paid voucher with dates, flags and texts set
    voucher = factories.value_voucher(
        hotel_a, "80.00", cross_hotel=True, buyer_name="Zoë Ünal", dedication="Für dich"
    )

    # When it is locked through the ledger path
    with transaction.atomic():
        locked = ledger.lock_voucher(voucher.pk)

    # Then every field equals the ORM's value, with the same types (aware times, bools)
    expected = Voucher.objects.get(pk=voucher.pk)
    assert _fields(locked) == _fields(expected)
    assert timezone.is_aware(locked.issued_at) and timezone.is_aware(locked.paid_at)
    assert locked.cross_hotel is True and locked.manual_code is False
    assert locked._state.adding is False


@pytest.mark.django_db
def test_lock_voucher_of_an_unknown_id_is_none():
    with transaction.atomic():
        assert ledger.lock_voucher(999_999) is None


@pytest.mark.django_db
def test_entry_insert_writes_the_entry_and_the_cached_balance(hotel_a):
    # Given a voucher of 50.00
    voucher = factories.value_voucher(hotel_a, "50.00")
    now = timezone.now()

    # When an entry of -12.50 is appended with the new balance
    with transaction.atomic():
        locked = ledger.lock_voucher(voucher.pk)
        locked.balance_minor -= 1250
        entry = ledger.entry_insert(
            voucher=locked,
            now=now,
            values={
                "kind": "redeem",
                "amount_minor": -1250,
                "balance_after_minor": locked.balance_minor,
                "hotel_id": hotel_a.pk,
                "actor": "desk",
                "reference": "R-1",
            },
        )

    # Then the returned entry is the stored one, and the voucher's cache follows the ledger
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert model_to_dict(entry) == model_to_dict(stored)
    assert entry.created_at == stored.created_at == now
    assert entry.voucher is locked and entry._state.adding is False
    voucher.refresh_from_db()
    assert voucher.balance_minor == 3750 == voucher_ledger_sum(voucher_id=voucher.pk)
    assert voucher.changed_at == now


@pytest.mark.django_db
def test_the_database_refuses_a_balance_below_zero_on_this_path(hotel_a):
    # Given a voucher of 10.00
    voucher = factories.value_voucher(hotel_a, "10.00")

    # When the path is asked to write a negative balance (the services never do)
    with pytest.raises(IntegrityError), transaction.atomic():
        locked = ledger.lock_voucher(voucher.pk)
        locked.balance_minor = -1
        ledger.entry_insert(
            voucher=locked,
            now=timezone.now(),
            values={"kind": "redeem", "amount_minor": -1001, "balance_after_minor": -1},
        )

    # Then the CHECK constraints refused it as Django's IntegrityError, and nothing was written
    voucher.refresh_from_db()
    assert voucher.balance_minor == 1000 == voucher_ledger_sum(voucher_id=voucher.pk)


@pytest.mark.django_db(transaction=True)
def test_the_path_refuses_to_run_outside_a_transaction(hotel_a):
    voucher = factories.value_voucher(hotel_a, "10.00")
    with pytest.raises(RuntimeError, match=r"inside transaction\.atomic"):
        ledger.lock_voucher(voucher.pk)
