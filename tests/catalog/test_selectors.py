"""Prices read from the database, and the products a channel publishes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from hotel_vouchers.catalog.models import ProductPosition, ProductPublication, PublicationPeriod
from hotel_vouchers.catalog.selectors import (
    product_list_published,
    product_price,
    product_price_minor,
    product_variants,
)
from hotel_vouchers.core.errors import ValidationError
from hotel_vouchers.properties.models import Channel, ChannelCategory
from tests import factories
from tests.catalog.conftest import make_product

DAY = date(2026, 6, 1)


def test_a_stay_is_priced_from_its_room_prices_and_extras(weekend):
    assert product_price_minor(product=weekend, choices={}) == 39800
    quote = product_price(
        product=weekend, choices={"room_category": "suite", "services": {"dinner": 2}}
    )
    assert (quote.total_minor, quote.package_travel_info_required) == (49800 + 17800, True)
    with pytest.raises(ValidationError) as caught:
        product_price(product=weekend, choices={"room_category": "penthouse"})
    assert caught.value.field == "choices.room_category"


def test_share_positions_follow_the_chosen_room(weekend, bar, restaurant):
    # given the weekend split 75 % stay (bar) and 25 % dinner (restaurant), in that order
    for order, (letter, label, percent, where) in enumerate(
        (("z", "Zimmer", 75, bar), ("d", "Dinner", 25, None))
    ):
        position = ProductPosition.objects.create(
            product=weekend,
            label=label,
            subcode=letter,
            sort_order=order,
            price_kind="share",
            share_percent=Decimal(percent),
        )
        position.locations.set([where or restaurant])
    # when the suite is chosen, then the positions are shares of 498.00 with their locations
    quote = product_price(product=weekend, choices={"room_category": "suite"})
    assert [(p.rule.subcode, p.amount_minor) for p in quote.positions] == [
        ("z", 37350),
        ("d", 12450),
    ]
    assert quote.positions[1].rule.location_ids == (restaurant.pk,)


def test_dinner_and_spa_costs_the_sum_of_its_positions(dinner_spa, bar):
    quote = product_price(product=dinner_spa, choices=None)
    assert quote.total_minor == 14600
    assert quote.positions[0].rule.location_ids == (bar.pk,)


@pytest.fixture
def shop(hotel_a):
    return Channel.objects.create(hotel=hotel_a, slug="shop", name="Web-Shop")


def publish(product, channel, *categories):
    publication = ProductPublication.objects.create(product=product, channel=channel)
    publication.categories.set(categories)
    return product


def test_a_channel_lists_its_products_with_variants_inside_their_reference(
    org, hotel_a, hotel_b, shop
):
    # given a reference (sort 20) with two variants (sorts 1 and 2: they stay inside their
    # group), products at 10 and 30, and a cross-hotel one of hotel B at 25
    ref = make_product(org, hotel_a, name="Romantik", variant_role="reference", sort_order=20)
    late = make_product(
        org, hotel_a, variant_role="variant", variant_of=ref, variant_name="B", sort_order=2
    )
    early = make_product(
        org, hotel_a, variant_role="variant", variant_of=ref, variant_name="A", sort_order=1
    )
    first = make_product(org, hotel_a, name="Erst", sort_order=10)
    last = make_product(org, hotel_a, name="Zuletzt", sort_order=30)
    cross = make_product(org, hotel_b, name="Überall", sort_order=25, cross_hotel=True)
    hidden = make_product(org, hotel_b, name="Nur B", sort_order=5)
    retired = make_product(org, hotel_a, name="Alt", active=False)
    unpublished = make_product(org, hotel_a, name="Intern")
    for product in (ref, late, early, first, last, cross, hidden, retired):
        publish(product, shop)
    # when the shop lists them, then in the shop's order
    listed = list(product_list_published(channel=shop, on=DAY))
    assert listed == [first, ref, early, late, cross, last]
    assert unpublished not in listed
    assert product_variants(product=late) == [ref, early, late]
    assert product_variants(product=first) == [first]


def test_publication_periods_and_categories(org, hotel_a, shop):
    wellness = ChannelCategory.objects.create(channel=shop, slug="wellness", name="Wellness")
    always = publish(make_product(org, hotel_a, name="Immer"), shop)
    summer = publish(make_product(org, hotel_a, name="Sommer"), shop, wellness)
    PublicationPeriod.objects.create(
        product=summer, starts_on=date(2026, 6, 1), ends_on=date(2026, 8, 31)
    )
    PublicationPeriod.objects.create(
        product=summer, starts_on=date(2026, 12, 1), ends_on=date(2026, 12, 24)
    )

    def names(on, **kwargs):
        return [p.name for p in product_list_published(channel=shop, on=on, **kwargs)]

    assert names(date(2026, 5, 31)) == ["Immer"]
    assert names(date(2026, 6, 1)) == ["Immer", "Sommer"]
    assert names(date(2026, 8, 31)) == ["Immer", "Sommer"]
    assert names(date(2026, 10, 1)) == ["Immer"]
    assert names(date(2026, 12, 24)) == ["Immer", "Sommer"]
    assert names(DAY, category_slug="wellness") == ["Sommer"]
    assert always.publications.get().channel == shop


def test_another_hotels_channel_does_not_list_a_single_hotel_product(org, hotel_a, hotel_b):
    product = make_product(org, hotel_a)
    channel_b = Channel.objects.create(hotel=hotel_b, slug="shop", name="B")
    publish(product, channel_b)
    assert list(product_list_published(channel=channel_b, on=DAY)) == []
    other = factories.organisation()
    assert (
        list(
            product_list_published(
                channel=Channel.objects.create(hotel=factories.hotel(other), slug="s", name="S"),
                on=DAY,
            )
        )
        == []
    )
