"""Pure rules of the catalogue, without Django: validity and the price of a product.

`product_price_compute` is the one price rule for the shop, the desk and the API. It
takes a `ProductSpec` (what the product offers, loaded by `selectors.product_price`)
and the buyer's choices, and returns the price and its positions, or raises a
`ValidationError` whose `field` names the choice that is out of bounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hotel_vouchers.core.errors import ValidationError
from hotel_vouchers.core.money import format_amount, parse_amount, to_minor

VALUE, STAY, SERVICES = "value", "stay", "services"
FIXED, PER_PERSON, SHARE = "fixed", "per_person", "share"
MAX_NIGHTS = 365
MAX_PERSONS = 50
MAX_QUANTITY = 99


def valid_until_for(*, issued_on: date, years: int | None, to_year_end: bool) -> date | None:
    """The last day a voucher is valid, or None for no expiry.

    `to_year_end`: counted to 31 December of the year `years` after the
    purchase (the German default: three years from the end of the year).
    """
    if years is None:
        return None
    if to_year_end:
        return date(issued_on.year + years, 12, 31)
    try:
        return issued_on.replace(year=issued_on.year + years)
    except ValueError:  # 29 February into a year without it
        return issued_on.replace(year=issued_on.year + years, day=28)


# --- what a product offers ------------------------------------------------------


@dataclass(frozen=True)
class RoomPrice:
    room_category: str  # slug
    price_minor: int
    is_default: bool = False


@dataclass(frozen=True)
class ServiceOffer:
    slug: str
    price_minor: int


@dataclass(frozen=True)
class PositionRule:
    """A position of the product: a fixed amount, an amount per person, or a share in
    percent of the price (which depends on the chosen variant, room, persons, ...)."""

    label: str
    subcode: str
    kind: str = FIXED
    amount_minor: int | None = None
    share_percent: Decimal | None = None
    partial_allowed: bool = False
    location_ids: tuple[int, ...] = ()
    sort_order: int = 0
    id: int | None = None


@dataclass(frozen=True)
class ProductSpec:
    type: str
    currency: str
    value_fixed_minor: int | None = None
    value_editable: bool = False
    value_min_minor: int | None = None
    value_max_minor: int | None = None
    nights: int | None = None
    persons: int | None = None
    rooms: tuple[RoomPrice, ...] = ()
    services: tuple[ServiceOffer, ...] = ()
    positions: tuple[PositionRule, ...] = ()
    package_travel_exempt: bool = False


@dataclass(frozen=True)
class PricedPosition:
    rule: PositionRule
    amount_minor: int


@dataclass(frozen=True)
class Price:
    total_minor: int
    positions: tuple[PricedPosition, ...] = ()
    room_category: str | None = None
    nights: int | None = None
    persons: int | None = None
    services: dict[str, int] = field(default_factory=dict)
    # Package-travel directive: a stay sold with extras needs the pre-contractual form.
    package_travel_info_required: bool = False


# --- the price ------------------------------------------------------------------


def product_price_compute(*, spec: ProductSpec, choices: dict[str, Any] | None) -> Price:
    """The price for the buyer's choices.

    Positions: fixed and per-person positions are carved out first; share positions
    split the rest of the type's price by their percentages (the last one takes the
    rounding remainder, so the positions always add up to the price). A product
    whose positions are all fixed costs their sum; the type's pricing does not apply.
    """
    choices = dict(choices or {})
    per_person = any(p.kind == PER_PERSON for p in spec.positions)
    shares = any(p.kind == SHARE for p in spec.positions)
    if spec.positions and not shares:
        _refuse_unknown(choices, {"value", "persons"})
        persons = _persons(spec, choices) if per_person else None
        priced = _split(spec.positions, rest_minor=0, persons=persons or 1, currency=spec.currency)
        total = sum(p.amount_minor for p in priced)
        if "value" in choices and _amount(choices["value"], spec.currency) != total:
            raise ValidationError(
                "The value of a voucher with positions is the sum of its positions "
                f"({format_amount(total, spec.currency)}).",
                field="value",
            )
        return Price(total_minor=total, positions=tuple(priced), persons=persons)
    if spec.type == VALUE:
        _refuse_unknown(choices, {"value"} | ({"persons"} if per_person else set()))
        price = Price(total_minor=value_price(spec=spec, value=choices.get("value")))
    elif spec.type == STAY:
        price = stay_price(spec=spec, choices=choices)
    elif spec.type == SERVICES:
        _refuse_unknown(choices, {"services"} | ({"persons"} if per_person else set()))
        wanted = services_chosen(spec=spec, wanted=choices.get("services"), required=True)
        price = Price(total_minor=services_price(spec=spec, wanted=wanted), services=wanted)
    else:
        raise ValidationError(f"Unknown product type {spec.type!r}.", field="type")
    if not spec.positions:
        return price
    persons = price.persons or (_persons(spec, choices) if per_person else 1)
    fixed = sum(
        p.amount_minor * (persons if p.kind == PER_PERSON else 1)
        for p in spec.positions
        if p.kind != SHARE and p.amount_minor is not None
    )
    rest = price.total_minor - fixed
    if rest <= 0:
        raise ValidationError(
            "The positions with a fixed price leave nothing of "
            f"{format_amount(price.total_minor, spec.currency)} to share.",
            field="choices",
        )
    priced = _split(spec.positions, rest_minor=rest, persons=persons, currency=spec.currency)
    return Price(
        total_minor=price.total_minor,
        positions=tuple(priced),
        room_category=price.room_category,
        nights=price.nights,
        persons=price.persons or (persons if per_person else None),
        services=price.services,
        package_travel_info_required=price.package_travel_info_required,
    )


def value_price(*, spec: ProductSpec, value: Any) -> int:
    """Value vouchers: a fixed value; a fixed value the buyer may change (a suggestion);
    or the buyer's value. The buyer's value lies within the minimum and maximum."""
    fixed = spec.value_fixed_minor
    if fixed is not None and (value is None or not spec.value_editable):
        if value is not None and _amount(value, spec.currency) != fixed:
            raise ValidationError(
                f"This product has a fixed value of {format_amount(fixed, spec.currency)}.",
                field="value",
            )
        return fixed
    if value is None:
        raise ValidationError("A value is required.", field="value")
    minor = _amount(value, spec.currency)
    _within(minor, spec, field="value")
    return minor


def stay_price(*, spec: ProductSpec, choices: dict[str, Any]) -> Price:
    """Stay vouchers: the price of the chosen room category (the default one when none is
    chosen) is the total when the product fixes both nights and persons, else it is per
    person and night. Chosen add-on services are added."""
    _refuse_unknown(choices, {"room_category", "nights", "persons", "services"})
    slug = choices.get("room_category")
    if slug is None:
        room = next((r for r in spec.rooms if r.is_default), None)
        if room is None:
            raise ValidationError("Choose a room category.", field="choices.room_category")
    else:
        room = next((r for r in spec.rooms if r.room_category == slug), None)
        if room is None:
            raise ValidationError(
                f"Unknown room category {slug!r}; this product offers "
                f"{', '.join(r.room_category for r in spec.rooms) or 'none'}.",
                field="choices.room_category",
            )
    nights = _count(choices, "nights", spec.nights, MAX_NIGHTS)
    persons = _count(choices, "persons", spec.persons, MAX_PERSONS)
    if spec.nights is not None and spec.persons is not None:
        total = room.price_minor
    else:
        total = room.price_minor * nights * persons
    wanted = services_chosen(spec=spec, wanted=choices.get("services"), required=False)
    total += services_price(spec=spec, wanted=wanted, bounded=False)
    return Price(
        total_minor=total,
        room_category=room.room_category,
        nights=nights,
        persons=persons,
        services=wanted,
        package_travel_info_required=bool(wanted) and not spec.package_travel_exempt,
    )


def services_chosen(*, spec: ProductSpec, wanted: Any, required: bool) -> dict[str, int]:
    """The chosen services as slug → quantity: a mapping, or a list of slugs (one each)."""
    if wanted is None or wanted == {} or wanted == []:
        if required:
            raise ValidationError(
                'Choose at least one service: {"services": {"<slug>": quantity}}.',
                field="choices.services",
            )
        return {}
    if isinstance(wanted, list) and all(isinstance(s, str) for s in wanted):
        counted: dict[str, int] = {}
        for slug in wanted:
            counted[slug] = counted.get(slug, 0) + 1
        wanted = counted
    if not isinstance(wanted, dict):
        raise ValidationError(
            'Services are chosen as {"<slug>": quantity}.', field="choices.services"
        )
    offered = {s.slug for s in spec.services}
    for slug, quantity in wanted.items():
        if slug not in offered:
            raise ValidationError(
                f"Unknown service {slug!r}; this product offers "
                f"{', '.join(sorted(offered)) or 'none'}.",
                field="choices.services",
            )
        if (
            isinstance(quantity, bool)
            or not isinstance(quantity, int)
            or not 1 <= quantity <= MAX_QUANTITY
        ):
            raise ValidationError(
                f"The quantity of {slug!r} is a whole number from 1 to {MAX_QUANTITY}.",
                field="choices.services",
            )
    return dict(wanted)


def services_price(*, spec: ProductSpec, wanted: dict[str, int], bounded: bool = True) -> int:
    """Services vouchers: the sum of the chosen services, within the minimum and maximum."""
    prices = {s.slug: s.price_minor for s in spec.services}
    total = sum(prices[slug] * quantity for slug, quantity in wanted.items())
    if bounded:
        _within(total, spec, field="choices.services")
    return total


# --- helpers --------------------------------------------------------------------


def _split(
    rules: tuple[PositionRule, ...], *, rest_minor: int, persons: int, currency: str
) -> list[PricedPosition]:
    shares = [r for r in rules if r.kind == SHARE]
    amounts: dict[int, int] = {}
    for index, rule in enumerate(rules):
        if rule.kind == SHARE:
            continue
        amount = rule.amount_minor or 0
        amounts[index] = amount * persons if rule.kind == PER_PERSON else amount
    given = 0
    for number, rule in enumerate(shares, start=1):
        index = rules.index(rule)
        if number == len(shares):
            amounts[index] = rest_minor - given
        else:
            share = Decimal(rest_minor) * (rule.share_percent or Decimal(0)) / 100
            amounts[index] = int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))
            given += amounts[index]
    priced = [PricedPosition(rule=r, amount_minor=amounts[i]) for i, r in enumerate(rules)]
    for position in priced:
        if position.amount_minor <= 0:
            raise ValidationError(
                f"The position {position.rule.label!r} would cost "
                f"{format_amount(position.amount_minor, currency)}; the price is too low "
                "to share.",
                field="choices",
            )
    return priced


def _refuse_unknown(choices: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(choices) - allowed
    if unknown:
        raise ValidationError(
            f"Unknown choices {sorted(unknown)}; this product takes {sorted(allowed) or 'none'}.",
            field="choices",
        )


def _amount(value: Any, currency: str) -> int:
    return to_minor(parse_amount(value, currency=currency, field="value"), currency)


def _within(minor: int, spec: ProductSpec, *, field: str) -> None:
    low, high = spec.value_min_minor, spec.value_max_minor
    if low is not None and minor < low:
        raise ValidationError(
            f"The value must be at least {format_amount(low, spec.currency)}; "
            f"it is {format_amount(minor, spec.currency)}.",
            field=field,
        )
    if high is not None and minor > high:
        raise ValidationError(
            f"The value must be at most {format_amount(high, spec.currency)}; "
            f"it is {format_amount(minor, spec.currency)}.",
            field=field,
        )


def _count(choices: dict[str, Any], name: str, fixed: int | None, maximum: int) -> int:
    if fixed is not None:
        if name in choices and choices[name] != fixed:
            raise ValidationError(f"This product has {fixed} {name}.", field=f"choices.{name}")
        return fixed
    value = choices.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= maximum:
        raise ValidationError(
            f"Choose {name}: a whole number from 1 to {maximum}.", field=f"choices.{name}"
        )
    return value


def _persons(spec: ProductSpec, choices: dict[str, Any]) -> int:
    if spec.type == STAY or "persons" in choices:
        return _count(choices, "persons", spec.persons, MAX_PERSONS)
    return spec.persons or 1
