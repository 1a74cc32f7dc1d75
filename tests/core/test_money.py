from decimal import Decimal

import pytest

from hotel_vouchers.core.errors import ValidationError
from hotel_vouchers.core.money import format_amount, from_minor, parse_amount, quantize, to_minor


@pytest.mark.parametrize(
    "value, currency, expected",
    [
        ("12.50", "EUR", Decimal("12.50")),
        ("12.5", "EUR", Decimal("12.50")),
        (" 7 ", "EUR", Decimal("7.00")),
        (12, "EUR", Decimal("12.00")),
        (Decimal("0.01"), "CHF", Decimal("0.01")),
        ("1000000000", "EUR", Decimal("1000000000.00")),
        ("1500", "JPY", Decimal("1500")),
        ("12.500", "EUR", Decimal("12.50")),
    ],
)
def test_amounts_are_parsed_exactly(value, currency, expected):
    assert parse_amount(value, currency=currency) == expected


@pytest.mark.parametrize(
    "value",
    [
        "12.505",
        "0",
        "0.00",
        "-5",
        "1000000000.01",
        "1e3",
        "NaN",
        "Infinity",
        "12,50",
        "",
        "abc",
        12.5,
        True,
        None,
        [],
        Decimal("NaN"),
        "1_000",
        "٣",
    ],
)
def test_bad_amounts_are_refused(value):
    with pytest.raises(ValidationError) as error:
        parse_amount(value, currency="EUR")
    assert error.value.code == "validation_error"
    assert error.value.field == "amount"


def test_yen_has_no_decimals():
    with pytest.raises(ValidationError):
        parse_amount("10.5", currency="JPY")


def test_unknown_currency_is_refused():
    with pytest.raises(ValidationError) as error:
        parse_amount("10", currency="XXX")
    assert error.value.field == "currency"


def test_negative_only_where_allowed():
    assert parse_amount("-3.10", currency="EUR", allow_negative=True) == Decimal("-3.10")


def test_minor_units_round_trip():
    assert to_minor(Decimal("12.34"), "EUR") == 1234
    assert from_minor(1234, "EUR") == Decimal("12.34")
    assert format_amount(5, "EUR") == "0.05"
    assert format_amount(1500, "JPY") == "1500"
    with pytest.raises(ValidationError):
        to_minor(Decimal("1.234"), "EUR")


def test_computed_amounts_round_half_up():
    assert quantize(Decimal("0.125"), "EUR") == Decimal("0.13")
    assert quantize(Decimal("-0.125"), "EUR") == Decimal("-0.13")
