import pytest

from hotel_vouchers.catalog.models import StayRoomPrice, VoucherProduct
from hotel_vouchers.properties.models import AddOnService, RoomCategory


def make_product(org, hotel, **fields) -> VoucherProduct:
    """A product that satisfies every rule of catalog.services (valid German texts)."""
    defaults = dict(
        organisation=org,
        hotel=hotel,
        type="value",
        name="Wertgutschein",
        short_name="WG",
        short_description="Schenken Sie Zeit.",
        description="Einlösbar für alle Leistungen.",
    )
    return VoucherProduct.objects.create(**{**defaults, **fields})


@pytest.fixture
def rooms(hotel_a):
    return {
        slug: RoomCategory.objects.create(hotel=hotel_a, slug=slug, name=slug.title())
        for slug in ("komfort", "suite")
    }


@pytest.fixture
def extras(hotel_a):
    return {
        slug: AddOnService.objects.create(hotel=hotel_a, slug=slug, name=slug, price_minor=minor)
        for slug, minor in (("massage", 8500), ("dinner", 8900))
    }


@pytest.fixture
def weekend(org, hotel_a, rooms, extras):
    """Romantik-Wochenende: 2 nights, 2 persons; Komfort 398.00 (default), Suite 498.00."""
    product = make_product(
        org, hotel_a, type="stay", name="Romantik-Wochenende", nights=2, persons=2
    )
    StayRoomPrice.objects.create(
        product=product, room_category=rooms["komfort"], price_minor=39800, is_default=True
    )
    StayRoomPrice.objects.create(product=product, room_category=rooms["suite"], price_minor=49800)
    product.services.set(extras.values())
    return product
