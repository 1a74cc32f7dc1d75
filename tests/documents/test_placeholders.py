"""Placeholders: one pass, values printed literally; money and dates per language."""

from datetime import date
from decimal import Decimal

import pytest

from hotel_vouchers.documents.placeholders import (
    format_date,
    format_money,
    language_of,
    substitute,
    unknown_placeholders,
)

NBSP, NNBSP = "\u00a0", "\u202f"


def test_every_placeholder_is_replaced_in_one_pass():
    values = {"recipient": "#code#", "code": "EDQR-TU3A-M3F7", "dedication": "<b>&amp;</b>"}
    text = substitute("Für #recipient#: #code# (#dedication#)", values)
    # a value that looks like a placeholder or markup is printed as it is
    assert text == "Für #code#: EDQR-TU3A-M3F7 (<b>&amp;</b>)"


def test_unknown_tokens_are_found_and_left_alone():
    assert unknown_placeholders("#code# #nope# #hotel# #Voucher#") == ["nope", "Voucher"]
    assert substitute("#nope#", {"code": "X"}) == "#nope#"
    assert unknown_placeholders("Zimmer #5 und #6, Preis 10 # netto") == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", f"1.234,50{NBSP}€"),
        ("it", f"1.234,50{NBSP}€"),
        ("fr", f"1{NNBSP}234,50{NBSP}€"),
        ("en", "€1,234.50"),
        ("de-AT", f"1.234,50{NBSP}€"),
    ],
)
def test_money_per_language(language, expected):
    assert format_money(Decimal("1234.50"), "EUR", language) == expected


def test_money_without_a_sign_and_small_and_large_amounts():
    assert format_money(Decimal("1234.50"), "CHF", "de") == f"1.234,50{NBSP}CHF"
    assert format_money(Decimal("1234.50"), "CHF", "en") == "CHF 1,234.50"
    assert format_money(Decimal("12.00"), "EUR", "de") == f"12,00{NBSP}€"
    assert format_money(Decimal("1234567.00"), "EUR", "en") == "€1,234,567.00"
    assert format_money(Decimal("5000"), "JPY", "en") == "¥5,000"


def test_dates_per_language_and_no_expiry():
    day = date(2029, 12, 31)
    assert format_date(day, "de") == "31.12.2029"
    assert format_date(day, "en") == "31 December 2029"
    assert format_date(day, "fr") == "31/12/2029"
    assert format_date(None, "de") == "unbegrenzt gültig"


def test_language_tags_fall_back_to_german():
    assert (language_of("en-GB"), language_of("xx"), language_of(None)) == ("en", "de", "de")
