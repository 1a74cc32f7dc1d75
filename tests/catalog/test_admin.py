"""The product admin: broken rules are form errors next to their fields, never a 500;
the type and a variant's inherited texts are read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hotel_vouchers.catalog.models import VoucherProduct
from hotel_vouchers.core.models import AuditEvent
from hotel_vouchers.properties.models import Channel, ChannelCategory
from tests.catalog.conftest import make_product

INLINES = ("room_prices", "positions", "publications", "publication_periods")
ADD = reverse("admin:catalog_voucherproduct_add")


@pytest.fixture
def staff(client, django_user_model, db):
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-12345678")
    client.force_login(user)
    return client


def payload(org, hotel, rows: dict[str, list[dict]] | None = None, **fields) -> dict:
    data = {
        "organisation": org.pk,
        "hotel": hotel.pk,
        "type": "value",
        "variant_role": "standalone",
        "name": "Wertgutschein",
        "short_name": "WG",
        "short_description": "Kurz",
        "description": "Lang",
        "sort_order": 0,
        "validity_years": 3,
        "validity_to_year_end": "on",
        "accounting_class": "purchase",
        "vat_treatment": "multi_purpose",
        "active": "on",
        **fields,
    }
    for prefix in INLINES:
        forms = (rows or {}).get(prefix, [])
        data |= {
            f"{prefix}-TOTAL_FORMS": len(forms),
            f"{prefix}-INITIAL_FORMS": 0,
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
        for n, form in enumerate(forms):
            data |= {f"{prefix}-{n}-{key}": value for key, value in form.items()}
    return {k: v for k, v in data.items() if v is not None}


def errors_of(response) -> tuple[dict, list]:
    """(the product form's errors by field, the inlines' errors) of a refused form."""
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    inline_errors = [
        str(e)
        for inline in response.context["inline_admin_formsets"]
        for e in inline.formset.non_form_errors()
    ]
    return {k: [str(m) for m in v] for k, v in form.errors.items()}, inline_errors


def test_a_valid_product_is_created_through_the_service(staff, org, hotel_a, bar):
    # when a complete product with a position is posted
    response = staff.post(
        ADD,
        payload(
            org,
            hotel_a,
            rows={
                "positions": [
                    {
                        "subcode": "a",
                        "label": "Aperitif",
                        "price_kind": "fixed",
                        "amount_minor": 1200,
                        "locations": [bar.pk],
                        "sort_order": 0,
                    }
                ]
            },
        ),
    )
    # then it is saved, with an audit event of the staff user
    assert response.status_code == 302, errors_of(response)
    product = VoucherProduct.objects.get()
    assert [p.subcode for p in product.positions.all()] == ["a"]
    assert AuditEvent.objects.get(object_id=str(product.pk)).actor == "user:boss"


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"name": ""}, "name"),
        ({"short_name": ""}, "short_name"),
        ({"description": ""}, "description"),
        ({"variant_role": "reference"}, "variant_name"),
        ({"variant_role": "variant", "variant_name": "Gold"}, "variant_of"),
        ({"value_min_minor": 5000, "value_max_minor": 100}, "value_max_minor"),
        ({"nights": 2}, "nights"),
        ({"vat_treatment": "single_purpose", "vat_rate": "7"}, "vat_treatment"),
        ({"validity_years": 40}, "validity_years"),
    ],
)
def test_broken_rules_are_errors_next_to_their_fields(staff, org, hotel_a, fields, field):
    response = staff.post(ADD, payload(org, hotel_a, **fields))
    by_field, _ = errors_of(response)
    assert field in by_field
    assert VoucherProduct.objects.count() == 0


def test_inline_rules_are_errors_above_their_inline(staff, org, hotel_a, rooms):
    shop = Channel.objects.create(hotel=hotel_a, slug="shop", name="Shop")
    portal = Channel.objects.create(hotel=hotel_a, slug="portal", name="Portal")
    wellness = ChannelCategory.objects.create(channel=portal, slug="w", name="Wellness")
    position = {"sort_order": 0, "label": "A"}
    # given a stay without a default room, positions with a repeated sub-code, shares of 50 %,
    # a category of another channel and a period that ends before it starts
    response = staff.post(
        ADD,
        payload(
            org,
            hotel_a,
            type="stay",
            rows={
                "room_prices": [{"room_category": rooms["suite"].pk, "price_minor": 49800}],
                "positions": [
                    {**position, "subcode": "a", "price_kind": "share", "share_percent": "50"},
                    {**position, "subcode": "a", "price_kind": "fixed", "amount_minor": 100},
                ],
                "publications": [{"channel": shop.pk, "categories": [wellness.pk]}],
                "publication_periods": [{"starts_on": "2026-08-01", "ends_on": "2026-07-01"}],
            },
        ),
    )
    # then each inline says what is wrong, and nothing is saved
    _, inline_errors = errors_of(response)
    text = " ".join(inline_errors)
    assert "exactly one room category as the default" in text
    assert "Sub-codes repeat: a" in text
    assert "add up to 50" in text
    assert "Categories of another channel" in text
    periods = response.context["inline_admin_formsets"][3].formset
    assert "ends on or after its start" in str(periods.forms[0].errors)
    assert VoucherProduct.objects.count() == 0


def test_a_stay_with_room_prices_is_created(staff, org, hotel_a, rooms):
    response = staff.post(
        ADD,
        payload(
            org,
            hotel_a,
            type="stay",
            nights=2,
            persons=2,
            rows={
                "room_prices": [
                    {
                        "room_category": rooms["komfort"].pk,
                        "price_minor": 39800,
                        "is_default": "on",
                    },
                    {"room_category": rooms["suite"].pk, "price_minor": 49800},
                ]
            },
        ),
    )
    assert response.status_code == 302, errors_of(response)
    assert VoucherProduct.objects.get().room_prices.count() == 2


def test_the_type_is_read_only_after_creation(staff, org, hotel_a):
    product = make_product(org, hotel_a)
    url = reverse("admin:catalog_voucherproduct_change", args=[product.pk])
    page = staff.get(url)
    assert page.status_code == 200
    assert b'name="type"' not in page.content
    # when a changed type is posted anyway, then it is ignored
    response = staff.post(url, payload(org, hotel_a, type="stay", short_name="Neu"))
    assert response.status_code == 302, errors_of(response)
    product.refresh_from_db()
    assert (product.type, product.short_name) == ("value", "Neu")


def test_a_variant_shows_its_inherited_texts_read_only(staff, org, hotel_a):
    reference = make_product(
        org, hotel_a, name="Romantik", variant_role="reference", variant_name="Klassik"
    )
    variant = make_product(
        org,
        hotel_a,
        name="",
        short_description="",
        variant_role="variant",
        variant_of=reference,
        variant_name="Suite",
    )
    page = staff.get(reverse("admin:catalog_voucherproduct_change", args=[variant.pk]))
    assert page.status_code == 200
    assert b'name="name"' not in page.content
    assert b'name="short_description"' not in page.content
    assert b'name="title_image"' not in page.content
    assert b"Romantik" in page.content and b"Schenken Sie Zeit." in page.content
    # when a name is posted for it anyway, then the variant keeps inheriting
    response = staff.post(
        reverse("admin:catalog_voucherproduct_change", args=[variant.pk]),
        payload(
            org,
            hotel_a,
            name="Eigen",
            variant_role="variant",
            variant_of=reference.pk,
            variant_name="Suite XL",
        ),
    )
    assert response.status_code == 302, errors_of(response)
    variant.refresh_from_db()
    assert (variant.name, variant.display_name()) == ("", "Romantik · Suite XL")
