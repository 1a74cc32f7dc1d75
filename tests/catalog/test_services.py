"""The configuration rules of products, positions, room prices and publications."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hotel_vouchers.catalog import services
from hotel_vouchers.catalog.models import (
    ProductPosition,
    StayRoomPrice,
    VariantRole,
    VoucherProduct,
)
from hotel_vouchers.core.errors import ValidationError
from hotel_vouchers.core.models import AuditEvent
from hotel_vouchers.properties.models import AddOnService, Channel, ChannelCategory
from tests import factories
from tests.catalog.conftest import make_product


def fields_of(errors) -> set[str]:
    return {e.field for e in errors}


def unsaved(org, hotel, **fields) -> VoucherProduct:
    defaults = dict(
        organisation=org,
        hotel=hotel,
        type="value",
        name="Wertgutschein",
        short_name="WG",
        short_description="Kurz",
        description="Lang",
    )
    return VoucherProduct(**{**defaults, **fields})


def test_a_complete_product_has_no_errors_and_is_saved_with_an_audit_event(org, hotel_a):
    # given a valid value product, when it is saved, then it exists and the audit says who
    product = services.product_save(product=unsaved(org, hotel_a), actor="user:boss")
    assert VoucherProduct.objects.filter(pk=product.pk).exists()
    event = AuditEvent.objects.get(object_id=str(product.pk))
    assert (event.actor, event.action) == ("user:boss", "product.created")


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"name": " "}, "name"),
        ({"short_description": ""}, "short_description"),
        ({"description": ""}, "description"),
        ({"short_name": ""}, "short_name"),
        ({"variant_role": "reference"}, "variant_name"),  # a reference needs a variant name
        ({"variant_name": "Suite"}, "variant_name"),  # a standalone product has none
        ({"variant_role": "variant", "variant_name": "X"}, "variant_of"),
        ({"value_min_minor": 5000, "value_max_minor": 2500}, "value_max_minor"),
        ({"value_fixed_minor": 0}, "value_fixed_minor"),
        (
            {
                "value_fixed_minor": 1000,
                "value_editable": True,
                "value_min_minor": 2500,
            },
            "value_fixed_minor",
        ),
        ({"nights": 2}, "nights"),  # only stays
        ({"persons": 2}, "persons"),
        ({"package_travel_exempt": True}, "package_travel_exempt"),
        ({"validity_years": 0}, "validity_years"),
        ({"validity_years": 31}, "validity_years"),
        ({"vat_treatment": "single_purpose", "vat_rate": Decimal("7")}, "vat_treatment"),
        ({"vat_rate": Decimal("19")}, "vat_rate"),  # multi-purpose: VAT at redemption
    ],
)
def test_each_broken_rule_names_its_field_and_nothing_is_saved(org, hotel_a, fields, field):
    # given a product with one broken rule
    product = unsaved(org, hotel_a, **fields)
    # when it is checked, then the field is named; when saved, then it is refused
    assert field in fields_of(services.product_errors(product=product))
    with pytest.raises(ValidationError):
        services.product_save(product=product, actor="t")
    assert (VoucherProduct.objects.count(), AuditEvent.objects.count()) == (0, 0)


def test_single_purpose_vat_for_a_stay_of_one_hotel_with_its_rate(org, hotel_a):
    stay = unsaved(org, hotel_a, type="stay", vat_treatment="single_purpose")
    assert fields_of(services.product_errors(product=stay)) == {"vat_rate"}
    stay.vat_rate = Decimal("7.00")
    assert services.product_errors(product=stay) == []
    stay.cross_hotel = True
    assert fields_of(services.product_errors(product=stay)) == {"vat_treatment"}


def test_the_type_is_fixed_once_created(org, hotel_a):
    # given a saved value product
    product = make_product(org, hotel_a)
    events = AuditEvent.objects.count()
    # when someone makes it a stay, then the service refuses and the row keeps its type
    product.type = "stay"
    with pytest.raises(ValidationError) as caught:
        services.product_save(product=product, actor="t")
    assert caught.value.field == "type"
    assert VoucherProduct.objects.get(pk=product.pk).type == "value"
    assert AuditEvent.objects.count() == events


def test_a_variant_inherits_name_short_description_and_title_image(org, hotel_a):
    # given a reference product with texts in two languages and a title image
    reference = make_product(
        org,
        hotel_a,
        type="stay",
        name="Romantik-Wochenende",
        name_en="Romantic weekend",
        short_description="Zwei Nächte zu zweit.",
        variant_role=VariantRole.REFERENCE,
        variant_name="Komfort",
        title_image="catalog/titles/romantik.jpg",
        sort_order=20,
    )
    # when a variant is saved with texts of its own
    variant = services.product_save(
        product=unsaved(
            org,
            hotel_a,
            type="stay",
            variant_role=VariantRole.VARIANT,
            variant_of=reference,
            name="Eigener Name",
            short_description="Eigene Kurzbeschreibung",
            variant_name="Suite",
            variant_name_en="Suite",
            description="Mit Whirlpool.",
            title_image="catalog/titles/other.jpg",
        ),
        actor="t",
    )
    variant.refresh_from_db()
    # then it keeps none of them and shows the reference's
    assert (variant.name, variant.short_description, variant.title_image.name) == ("", "", "")
    assert variant.text("name") == "Romantik-Wochenende"
    assert variant.text("name", "en") == "Romantic weekend"
    assert variant.text("name", "it") == "Romantik-Wochenende"  # falls back to German
    assert variant.text("short_description") == "Zwei Nächte zu zweit."
    assert variant.text("description") == "Mit Whirlpool."  # not inherited
    assert variant.inherited_title_image().name == "catalog/titles/romantik.jpg"
    assert variant.display_name() == "Romantik-Wochenende · Suite"
    assert variant.display_name("en") == "Romantic weekend · Suite"
    # and a change of the reference shows in the variant at once
    VoucherProduct.objects.filter(pk=reference.pk).update(name="Romantik pur")
    assert VoucherProduct.objects.get(pk=variant.pk).text("name") == "Romantik pur"


def test_variant_rules(org, hotel_a):
    reference = make_product(org, hotel_a, variant_role="reference", variant_name="Klein")
    standalone = make_product(org, hotel_a, name="Allein")
    stay_reference = make_product(
        org, hotel_a, type="stay", variant_role="reference", variant_name="A"
    )
    other_org = factories.organisation()
    foreign = make_product(
        other_org, factories.hotel(other_org), variant_role="reference", variant_name="F"
    )

    def variant_of(ref, **extra) -> set[str]:
        product = unsaved(
            org,
            hotel_a,
            **{"variant_role": "variant", "variant_of": ref, "variant_name": "V"} | extra,
        )
        return fields_of(services.product_errors(product=product))

    assert variant_of(reference) == set()
    assert variant_of(reference, name="", short_description="") == set()  # inherited
    assert variant_of(standalone) == {"variant_of"}  # not a reference
    assert variant_of(stay_reference) == {"variant_of"}  # another type
    assert variant_of(foreign) == {"variant_of"}  # another organisation
    assert "variant_name" in variant_of(reference, variant_name="")
    # a reference with variants stays a reference
    make_product(org, hotel_a, variant_role="variant", variant_of=reference, variant_name="Groß")
    reference.variant_role = "standalone"
    reference.variant_name = ""
    assert fields_of(services.product_errors(product=reference)) == {"variant_role"}


def test_services_belong_to_the_products_hotel_and_not_to_value_vouchers(
    org, hotel_a, hotel_b, extras
):
    elsewhere = AddOnService.objects.create(hotel=hotel_b, slug="golf", name="Golf", price_minor=1)
    offered = unsaved(org, hotel_a, type="services")
    assert services.product_errors(product=offered, services=list(extras.values())) == []
    assert fields_of(services.product_errors(product=offered, services=[elsewhere])) == {"services"}
    value = unsaved(org, hotel_a)
    assert fields_of(services.product_errors(product=value, services=[extras["massage"]])) == {
        "services"
    }


def test_room_prices_only_for_stays_with_exactly_one_default_of_the_hotel(
    org, hotel_a, hotel_b, rooms
):
    stay = make_product(org, hotel_a, type="stay", nights=2, persons=2)

    def check(*rows, product=stay) -> set[str]:
        prices = [
            StayRoomPrice(product=product, room_category=c, price_minor=m, is_default=d)
            for c, m, d in rows
        ]
        return fields_of(services.room_prices_errors(product=product, room_prices=prices))

    komfort, suite = rooms["komfort"], rooms["suite"]
    assert check((komfort, 39800, True), (suite, 49800, False)) == set()
    assert check() == {"room_prices"}
    assert check((komfort, 39800, False)) == {"is_default"}
    assert check((komfort, 39800, True), (suite, 49800, True)) == {"is_default"}
    assert check((komfort, 0, True)) == {"price_minor"}
    assert check((komfort, 1, True), (komfort, 2, False)) == {"room_category"}
    far = factories.hotel(org)
    from hotel_vouchers.properties.models import RoomCategory

    alien = RoomCategory.objects.create(hotel=far, slug="x", name="X")
    assert check((alien, 100, True)) == {"room_category"}
    assert check((komfort, 100, True), product=make_product(org, hotel_a)) == {"room_prices"}


def test_position_rules(org, hotel_a, bar, spa):
    product = make_product(org, hotel_a, type="services")
    other = factories.organisation()
    alien = factories.location(factories.hotel(other))

    def check(*rows, chosen=False) -> set[str]:
        positions = [
            (ProductPosition(product=product, label=label, subcode=letter, **price), where)
            for letter, label, price, where in rows
        ]
        return fields_of(
            services.positions_errors(product=product, positions=positions, services_chosen=chosen)
        )

    fixed = {"amount_minor": 1200}
    half = {"price_kind": "share", "share_percent": Decimal("50")}
    assert check(("a", "Aperitif", fixed, [bar]), ("s", "Spa", fixed, [spa, bar])) == set()
    assert check(("a", "A", half, [bar]), ("b", "B", half, [])) == set()
    assert check(("a", "A", fixed, []), ("a", "B", fixed, [])) == {"subcode"}
    assert check(("1", "A", fixed, [])) == {"subcode"}
    assert check(("A", "A", fixed, [])) == {"subcode"}
    assert check(("a", "A", {}, [])) == {"amount_minor"}
    assert check(("a", "A", {"amount_minor": 100, "share_percent": Decimal(5)}, [])) == {
        "share_percent"
    }
    assert check(("a", "A", half, []), ("b", "B", fixed, [])) == {"share_percent"}  # 50 %
    assert check(("a", "A", {**half, "share_percent": Decimal(0)}, [])) == {"share_percent"}
    assert check(("a", "A", fixed, [alien])) == {"locations"}
    # fixed positions are the price: chosen services need shares
    assert check(("a", "A", fixed, []), chosen=True) == {"price_kind"}
    # locations may be in another hotel of the organisation
    assert check(("a", "A", fixed, [factories.location(factories.hotel(org))])) == set()


def test_subcodes_are_unique_within_a_product_in_the_database(dinner_spa):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ProductPosition.objects.create(product=dinner_spa, label="X", subcode="a", amount_minor=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductPosition.objects.create(
            product=dinner_spa, label="Y", subcode="y", price_kind="share", amount_minor=100
        )
    assert dinner_spa.positions.count() == 3


def test_publications_on_the_organisations_channels_with_their_categories(org, hotel_a):
    product = make_product(org, hotel_a)
    shop = Channel.objects.create(hotel=hotel_a, slug="shop", name="Shop")
    portal = Channel.objects.create(hotel=hotel_a, slug="portal", name="Portal", kind="portal")
    wellness = ChannelCategory.objects.create(channel=shop, slug="wellness", name="Wellness")
    other = factories.organisation()
    foreign = Channel.objects.create(hotel=factories.hotel(other), slug="x", name="X")

    def check(*rows) -> set[str]:
        return fields_of(services.publications_errors(product=product, publications=rows))

    assert check((shop, [wellness]), (portal, [])) == set()
    assert check((portal, [wellness])) == {"categories"}
    assert check((foreign, [])) == {"channel"}
    assert check((shop, []), (shop, [])) == {"channel"}
