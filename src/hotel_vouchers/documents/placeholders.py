"""Placeholders in layout texts, and the values that replace them.

Pure: no Django. Substitution is one pass of one regular expression over the
template, so a value that itself contains `#code#` (a buyer may type
anything into a dedication) appears literally and is never substituted again.
fpdf2 draws text and interprets no markup, so `<>&"` need no escaping.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

PLACEHOLDERS: dict[str, str] = {
    "voucher_value": "the voucher's value, formatted for its language",
    "code": "the voucher code, e.g. EDQR-TU3A-M3F7",
    "valid_until": "the last day it is valid, or that it does not expire",
    "recipient": "the recipient's name",
    "dedication": "the buyer's dedication",
    "product": "the product's name",
    "hotel": "the issuing hotel's name",
    "positions": "one line per position with its sub-code",
}
TOKEN = re.compile(r"#([A-Za-z_][A-Za-z0-9_]*)#")
LANGUAGES = ("de", "en", "it", "fr")

_CURRENCY_SIGNS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥"}
# Thousands and decimal separators; French uses a narrow no-break space.
_SEPARATORS = {"de": (".", ","), "it": (".", ","), "fr": ("\u202f", ","), "en": (",", ".")}
_NO_EXPIRY = {
    "de": "unbegrenzt gültig",
    "en": "no expiry",
    "it": "senza scadenza",
    "fr": "sans date d'expiration",
}
_MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()


def language_of(code: str | None) -> str:
    """One of LANGUAGES for a language tag ("de-AT" → "de"); German otherwise."""
    short = (code or "").split("-")[0].split("_")[0].lower()
    return short if short in LANGUAGES else "de"


def unknown_placeholders(template: str) -> list[str]:
    """The `#word#` tokens of a template that are not placeholders, in order."""
    return [name for name in TOKEN.findall(template) if name not in PLACEHOLDERS]


def substitute(template: str, values: Mapping[str, str]) -> str:
    """The template with each known placeholder replaced, in one pass."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return values[name] if name in values else match.group(0)

    return TOKEN.sub(replace, template)


def format_money(amount: Decimal, currency: str, language: str) -> str:
    """`1.234,50 €` (de, it), `1 234,50 €` (fr), `€1,234.50` (en); the code for
    currencies without a sign (`1.234,50 CHF`, `CHF 1,234.50`)."""
    language = language_of(language)
    thousands, decimal_mark = _SEPARATORS[language]
    sign = "-" if amount < 0 else ""
    whole, _, fraction = format(abs(amount), "f").partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    number = thousands.join(groups) + (decimal_mark + fraction if fraction else "")
    symbol = _CURRENCY_SIGNS.get(currency)
    if language == "en":
        return f"{sign}{symbol}{number}" if symbol else f"{sign}{currency} {number}"
    return f"{sign}{number}\u00a0{symbol or currency}"


def format_date(day: date | None, language: str) -> str:
    language = language_of(language)
    if day is None:
        return _NO_EXPIRY[language]
    if language == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    if language == "de":
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    return f"{day.day:02d}/{day.month:02d}/{day.year}"
