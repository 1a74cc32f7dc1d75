"""The price rule per type, without a database (catalog/domain.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hotel_vouchers.catalog.domain import (
    PER_PERSON,
    SHARE,
    PositionRule,
    ProductSpec,
    RoomPrice,
    ServiceOffer,
    product_price_compute,
)
from hotel_vouchers.core.errors import ValidationError

RANGE = ProductSpec(type="value", currency="EUR", value_min_minor=2500, value_max_minor=100000)
ROOMS = (RoomPrice("komfort", 39800, is_default=True), RoomPrice("suite", 49800))
SERVICES = (ServiceOffer("massage", 8500), ServiceOffer("dinner", 8900))


def price(spec: ProductSpec, **choices):
    return product_price_compute(spec=spec, choices=choices)


def refused(spec: ProductSpec, field: str, **choices) -> str:
    with pytest.raises(ValidationError) as caught:
        price(spec, **choices)
    assert caught.value.field == field
    return caught.value.detail


# --- value ----------------------------------------------------------------------


def test_a_value_within_min_and_max_is_the_price():
    # given a value voucher of 25.00 to 1000.00, when the buyer chooses, then that is the price
    assert price(RANGE, value="25").total_minor == 2500
    assert price(RANGE, value="1000.00").total_minor == 100000
    assert price(RANGE, value="75.50").positions == ()


@pytest.mark.parametrize("value", ["24.99", "1000.01", "0", "-5", "abc", "10.001"])
def test_a_value_out_of_bounds_or_malformed_is_refused(value):
    refused(RANGE, "value", value=value)


def test_the_bounds_are_named_in_the_error():
    assert "at least 25.00" in refused(RANGE, "value", value="24.99")
    assert "at most 1000.00" in refused(RANGE, "value", value="1000.01")
    assert "required" in refused(RANGE, "value")


def test_a_fixed_value_is_the_price_and_cannot_be_changed():
    # given a fixed 40.00 that is not editable
    fixed = ProductSpec(type="value", currency="EUR", value_fixed_minor=4000)
    assert price(fixed).total_minor == 4000
    assert price(fixed, value="40.00").total_minor == 4000
    assert "fixed value of 40.00" in refused(fixed, "value", value="41")


def test_an_editable_fixed_value_is_a_suggestion_within_the_bounds():
    # given 50.00 suggested, editable between 20.00 and 200.00
    spec = ProductSpec(
        type="value",
        currency="EUR",
        value_fixed_minor=5000,
        value_editable=True,
        value_min_minor=2000,
        value_max_minor=20000,
    )
    assert price(spec).total_minor == 5000
    assert price(spec, value="120").total_minor == 12000
    refused(spec, "value", value="19.99")
    refused(spec, "value", value="200.01")


def test_a_value_voucher_takes_no_other_choices():
    assert "room_category" in refused(RANGE, "choices", value="30", room_category="suite")


# --- stay -----------------------------------------------------------------------


def test_with_nights_and_persons_fixed_the_room_price_is_the_total():
    # given 2 nights for 2 persons, when the buyer picks nothing, then the default room's price
    spec = ProductSpec(type="stay", currency="EUR", nights=2, persons=2, rooms=ROOMS)
    assert price(spec).total_minor == 39800
    quote = price(spec, room_category="suite")
    assert (quote.total_minor, quote.room_category, quote.nights, quote.persons) == (
        49800,
        "suite",
        2,
        2,
    )
    assert price(spec, nights=2, persons=2).total_minor == 39800


def test_otherwise_the_room_price_is_per_person_and_night():
    # given nights and persons free, 100.00 per person and night
    spec = ProductSpec(type="stay", currency="EUR", rooms=(RoomPrice("dz", 10000, True),))
    assert price(spec, nights=3, persons=2).total_minor == 60000
    # and with the nights fixed at 2, the buyer chooses the persons
    two_nights = ProductSpec(type="stay", currency="EUR", nights=2, rooms=spec.rooms)
    assert price(two_nights, persons=3).total_minor == 60000


@pytest.mark.parametrize(
    "choices, field",
    [
        ({"room_category": "penthouse"}, "choices.room_category"),
        ({"nights": 3}, "choices.nights"),  # the product has 2
        ({"persons": 1}, "choices.persons"),
        ({"breakfast": True}, "choices"),
        ({"services": {"sauna": 1}}, "choices.services"),
        ({"services": {"massage": 0}}, "choices.services"),
        ({"services": {"massage": 100}}, "choices.services"),
        ({"services": {"massage": True}}, "choices.services"),
        ({"services": "massage"}, "choices.services"),
    ],
)
def test_stay_choices_out_of_bounds_are_refused(choices, field):
    spec = ProductSpec(
        type="stay", currency="EUR", nights=2, persons=2, rooms=ROOMS, services=SERVICES
    )
    refused(spec, field, **choices)


@pytest.mark.parametrize("nights", [0, 366, "2", 2.0, None, True])
def test_free_nights_are_a_whole_number_from_1_to_365(nights):
    spec = ProductSpec(type="stay", currency="EUR", persons=2, rooms=ROOMS)
    assert "1 to 365" in refused(spec, "choices.nights", nights=nights)


def test_a_stay_without_a_default_room_needs_the_buyers_choice():
    spec = ProductSpec(type="stay", currency="EUR", nights=1, persons=1, rooms=(ROOMS[1],))
    refused(spec, "choices.room_category")
    assert price(spec, room_category="suite").total_minor == 49800


def test_extras_add_to_a_stay_and_call_for_the_package_travel_form():
    # given a stay with bookable extras
    spec = ProductSpec(
        type="stay", currency="EUR", nights=2, persons=2, rooms=ROOMS, services=SERVICES
    )
    # when the buyer books two massages, then they are added and the form is required
    quote = price(spec, services={"massage": 2})
    assert (quote.total_minor, quote.services) == (39800 + 17000, {"massage": 2})
    assert quote.package_travel_info_required is True
    assert price(spec).package_travel_info_required is False
    # unless the hotel declared the stay exempt
    exempt = ProductSpec(**{**spec.__dict__, "package_travel_exempt": True})
    assert price(exempt, services=["massage"]).package_travel_info_required is False


# --- services -------------------------------------------------------------------


SERVICES_SPEC = ProductSpec(
    type="services",
    currency="EUR",
    services=SERVICES,
    value_min_minor=5000,
    value_max_minor=20000,
)


def test_the_chosen_services_add_up_to_the_price():
    assert price(SERVICES_SPEC, services={"massage": 1, "dinner": 1}).total_minor == 17400
    assert price(SERVICES_SPEC, services=["dinner"]).total_minor == 8900


def test_services_outside_min_and_max_are_refused():
    # 3 massages are 255.00, above 200.00
    assert "at most 200.00" in refused(SERVICES_SPEC, "choices.services", services={"massage": 3})
    cheap = ProductSpec(**{**SERVICES_SPEC.__dict__, "value_min_minor": 9000})
    assert "at least 90.00" in refused(cheap, "choices.services", services={"massage": 1})


def test_services_must_be_chosen_from_the_offer():
    refused(SERVICES_SPEC, "choices.services")
    refused(SERVICES_SPEC, "choices.services", services={})
    assert "massage" in refused(SERVICES_SPEC, "choices.services", services={"golf": 1})
    refused(SERVICES_SPEC, "choices", services={"massage": 1}, value="10")


# --- positions ------------------------------------------------------------------


DINNER_SPA = ProductSpec(
    type="services",
    currency="EUR",
    positions=(
        PositionRule("Aperitif", "a", amount_minor=1200, location_ids=(1,)),
        PositionRule("Menü", "m", amount_minor=8900, location_ids=(2,)),
        PositionRule("Spa-Guthaben", "s", amount_minor=4500, partial_allowed=True),
    ),
)


def test_fixed_positions_are_the_price():
    # given Dinner & Spa, when nothing is chosen, then the value is the sum of its positions
    quote = price(DINNER_SPA)
    assert quote.total_minor == 14600
    assert [(p.rule.subcode, p.amount_minor) for p in quote.positions] == [
        ("a", 1200),
        ("m", 8900),
        ("s", 4500),
    ]
    assert price(DINNER_SPA, value="146.00").total_minor == 14600
    assert "146.00" in refused(DINNER_SPA, "value", value="150")


def test_per_person_positions_multiply_by_the_persons():
    spec = ProductSpec(
        type="services",
        currency="EUR",
        positions=(
            PositionRule("Menü", "m", kind=PER_PERSON, amount_minor=8900),
            PositionRule("Wein", "w", amount_minor=3500),
        ),
    )
    assert price(spec).total_minor == 8900 + 3500  # one person when not chosen
    quote = price(spec, persons=2)
    assert (quote.total_minor, quote.persons) == (2 * 8900 + 3500, 2)
    refused(spec, "choices.persons", persons=0)


def test_shares_split_the_price_of_the_chosen_room_and_add_up_exactly():
    # given a stay split 60 % room, 40 % dinner
    spec = ProductSpec(
        type="stay",
        currency="EUR",
        nights=2,
        persons=2,
        rooms=(RoomPrice("komfort", 33333, True), RoomPrice("suite", 49800)),
        positions=(
            PositionRule("Zimmer", "z", kind=SHARE, share_percent=Decimal("60")),
            PositionRule("Dinner", "d", kind=SHARE, share_percent=Decimal("40")),
        ),
    )
    # when the buyer takes the default room, then 60 % rounds half up and the last takes the rest
    quote = price(spec)
    assert [p.amount_minor for p in quote.positions] == [20000, 13333]
    assert sum(p.amount_minor for p in quote.positions) == quote.total_minor == 33333
    # and the suite gives other amounts
    assert [p.amount_minor for p in price(spec, room_category="suite").positions] == [
        29880,
        19920,
    ]


def test_fixed_positions_come_off_before_the_shares():
    # given a value voucher: a 10.00 aperitif per person, the rest shared 50/50
    spec = ProductSpec(
        type="value",
        currency="EUR",
        value_min_minor=5000,
        value_max_minor=50000,
        positions=(
            PositionRule("Aperitif", "a", kind=PER_PERSON, amount_minor=1000),
            PositionRule("Menü", "m", kind=SHARE, share_percent=Decimal("50")),
            PositionRule("Spa", "s", kind=SHARE, share_percent=Decimal("50")),
        ),
    )
    quote = price(spec, value="100.00", persons=2)
    assert [p.amount_minor for p in quote.positions] == [2000, 4000, 4000]
    # when the fixed part leaves nothing to share, then the choice is refused
    assert "nothing" in refused(spec, "choices", value="60.00", persons=6)
    refused(spec, "value", value="40.00", persons=1)
