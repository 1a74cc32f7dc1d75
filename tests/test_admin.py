"""The Django admin (unfold theme): every page renders; the ledger is read-only."""

import pytest
from django.urls import reverse

from hotel_vouchers.demo import demo_load
from hotel_vouchers.vouchers.models import Hold, LedgerEntry, Voucher
from hotel_vouchers.vouchers.services import hold_create


@pytest.fixture
def staff(client, django_user_model, db):
    demo_load()
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-12345678")
    client.force_login(user)
    return client


MODELS = [
    "properties/organisation",
    "properties/hotel",
    "properties/location",
    "properties/roomcategory",
    "properties/addonservice",
    "catalog/voucherproduct",
    "vouchers/voucher",
    "vouchers/ledgerentry",
    "vouchers/hold",
    "api_clients/apiclient",
    "core/auditevent",
    "core/idempotencyrecord",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_list_and_detail_page_renders(staff, model):
    app, name = model.split("/")
    response = staff.get(reverse(f"admin:{app}_{name}_changelist"))
    assert response.status_code == 200
    assert b"unfold" in response.content.lower()
    first = response.context["cl"].result_list[:1]
    if first:
        detail = staff.get(reverse(f"admin:{app}_{name}_change", args=[first[0].pk]))
        assert detail.status_code == 200


def test_ledger_entries_cannot_be_added_changed_or_deleted(staff):
    entry = LedgerEntry.objects.first()
    assert staff.get(reverse("admin:vouchers_ledgerentry_add")).status_code == 403
    response = staff.post(
        reverse("admin:vouchers_ledgerentry_change", args=[entry.pk]), {"amount_minor": 1}
    )
    assert response.status_code == 403
    delete = staff.post(
        reverse("admin:vouchers_ledgerentry_delete", args=[entry.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert LedgerEntry.objects.get(pk=entry.pk).amount_minor == entry.amount_minor


def test_voucher_balance_is_not_editable_in_the_admin(staff):
    voucher = Voucher.objects.filter(paid_at__isnull=False, positions__isnull=True).first()
    page = staff.get(reverse("admin:vouchers_voucher_change", args=[voucher.pk]))
    assert b'name="balance_minor"' not in page.content
    assert staff.get(reverse("admin:vouchers_voucher_add")).status_code == 403


def test_admin_actions_call_the_services(staff):
    unpaid = Voucher.objects.get(reference="demo-3")
    paid = Voucher.objects.get(reference="demo-1")
    hold_create(voucher_id=paid.pk, amount="10", reference="B", actor="t")
    url = reverse("admin:vouchers_voucher_changelist")
    staff.post(url, {"action": "mark_paid", "_selected_action": [unpaid.pk]})
    staff.post(url, {"action": "cancel", "_selected_action": [paid.pk]})
    unpaid.refresh_from_db()
    paid.refresh_from_db()
    assert unpaid.status == "active"
    assert (paid.status, paid.balance_minor, paid.held_minor) == ("cancelled", 0, 0)
    assert Hold.objects.get(voucher=paid).status == "released"
    # A refused action is a message, not an error page
    response = staff.post(url, {"action": "cancel", "_selected_action": [paid.pk]}, follow=True)
    assert response.status_code == 200
    assert b"cancelled already" in response.content
