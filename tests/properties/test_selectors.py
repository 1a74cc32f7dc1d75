import pytest

from hotel_vouchers.core.errors import ValidationError
from hotel_vouchers.properties.selectors import hotel_get, location_get, organisation_get
from tests import factories


def test_lookups_by_slug(org, hotel_a, bar):
    assert organisation_get(slug=org.slug) == org
    assert hotel_get(organisation=org, slug="hotel-a") == hotel_a
    assert location_get(organisation=org, slug="bar") == bar


@pytest.mark.parametrize("call", ["organisation", "hotel", "location"])
def test_unknown_slugs_are_clear_errors(org, hotel_a, call):
    with pytest.raises(ValidationError) as error:
        {
            "organisation": lambda: organisation_get(slug="nope"),
            "hotel": lambda: hotel_get(organisation=org, slug="nope"),
            "location": lambda: location_get(organisation=org, slug="nope"),
        }[call]()
    assert error.value.field in {"organization", "hotel", "location"}


def test_another_organisations_location_is_unknown(org):
    other = factories.organisation()
    factories.location(factories.hotel(other), "spa")
    with pytest.raises(ValidationError):
        location_get(organisation=org, slug="spa")


def test_a_slug_in_two_hotels_needs_the_hotel(org, hotel_a, hotel_b):
    factories.location(hotel_a, "front-desk")
    desk_b = factories.location(hotel_b, "front-desk")
    with pytest.raises(ValidationError):
        location_get(organisation=org, slug="front-desk")
    assert location_get(organisation=org, slug="front-desk", hotel=hotel_b) == desk_b
