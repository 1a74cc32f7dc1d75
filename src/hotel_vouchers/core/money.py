"""Money: integer minor units in the database, `Decimal` in Python, never float.

Amounts from people and clients are parsed exactly: a string or an int (or a
Decimal), never a float, no exponent, NaN or infinity, no more decimals than
the currency has.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from hotel_vouchers.core.errors import ValidationError

# ISO 4217 minor digits of the currencies the product is sold in.
CURRENCY_DIGITS: dict[str, int] = {
    "EUR": 2,
    "CHF": 2,
    "GBP": 2,
    "USD": 2,
    "CZK": 2,
    "HUF": 2,
    "PLN": 2,
    "SEK": 2,
    "DKK": 2,
    "NOK": 2,
    "JPY": 0,
}
MAX_AMOUNT = Decimal("1000000000")
_PLAIN_DECIMAL = re.compile(r"^[+-]?([0-9]+)(?:\.([0-9]*))?$")


def currency_digits(currency: str) -> int:
    try:
        return CURRENCY_DIGITS[currency]
    except KeyError:
        raise ValidationError(f"Unknown currency {currency!r}.", field="currency") from None


def validate_currency(currency: object) -> str:
    if not isinstance(currency, str) or currency not in CURRENCY_DIGITS:
        raise ValidationError(
            f"Unknown currency {currency!r}; use one of {', '.join(sorted(CURRENCY_DIGITS))}.",
            field="currency",
        )
    return currency


def parse_amount(
    value: object,
    *,
    currency: str,
    field: str = "amount",
    allow_zero: bool = False,
    allow_negative: bool = False,
) -> Decimal:
    """An exact amount of `currency`, or a ValidationError saying what is wrong."""
    digits = currency_digits(currency)
    if isinstance(value, bool) or value is None:
        raise ValidationError("An amount is required.", field=field)
    if isinstance(value, float):
        raise ValidationError('Amounts are sent as strings, e.g. "12.50".', field=field)
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValidationError("Amount is not a number.", field=field)
        text = format(value, "f")
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ValidationError("Amount must be a decimal string.", field=field)
    match = _PLAIN_DECIMAL.fullmatch(text)
    if not match:
        raise ValidationError(
            f'{value!r} is not a plain decimal amount such as "12.50".', field=field
        )
    decimals = (match.group(2) or "").rstrip("0")
    if len(decimals) > digits:
        raise ValidationError(
            f"{currency} amounts have at most {digits} decimal places.", field=field
        )
    try:
        amount = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
        raise ValidationError("Amount is not a number.", field=field) from None
    if amount.is_zero() and not allow_zero:
        raise ValidationError("Amount must not be zero.", field=field)
    if amount < 0 and not allow_negative:
        raise ValidationError("Amount must be positive.", field=field)
    if abs(amount) > MAX_AMOUNT:
        raise ValidationError("Amount is above 1,000,000,000.", field=field)
    return quantize(amount, currency)


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit, half up (only for computed amounts)."""
    exponent = Decimal(1).scaleb(-currency_digits(currency))
    return amount.quantize(exponent, rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    digits = currency_digits(currency)
    scaled = amount.scaleb(digits)
    if scaled != scaled.to_integral_value():
        raise ValidationError(
            f"{currency} amounts have at most {digits} decimal places.", field="amount"
        )
    return int(scaled)


def from_minor(minor: int, currency: str) -> Decimal:
    return quantize(Decimal(minor).scaleb(-currency_digits(currency)), currency)


def format_amount(minor: int, currency: str) -> str:
    """The API's money string: exactly the currency's minor digits, e.g. "12.50"."""
    return format(from_minor(minor, currency), "f")
