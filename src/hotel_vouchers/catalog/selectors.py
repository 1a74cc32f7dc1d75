"""Reads about voucher products."""

from __future__ import annotations

from typing import Any

from hotel_vouchers.catalog.models import StayRoomPrice, VoucherProduct, VoucherType
from hotel_vouchers.core.errors import ValidationError

MAX_UNITS = 365


def _count(choices: dict[str, Any], name: str, fixed: int | None) -> int:
    if fixed is not None:
        if name in choices and choices[name] != fixed:
            raise ValidationError(f"This product has {fixed} {name}.", field=f"choices.{name}")
        return fixed
    value = choices.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_UNITS:
        raise ValidationError(
            f"choices.{name} is a whole number from 1 to {MAX_UNITS}.", field=f"choices.{name}"
        )
    return value


def product_price_minor(*, product: VoucherProduct, choices: dict[str, Any]) -> int:
    """The price of a stay or services product for the buyer's choices, in minor units.

    Stay: `room_category` (slug; the default category when absent), `nights` and
    `persons` where the product does not fix them; the room price is the total when
    both are fixed, else per person and night. Services: `services`, a mapping of
    service slug to quantity, from the product's services."""
    if product.type == VoucherType.STAY:
        unknown = set(choices) - {"room_category", "nights", "persons"}
        if unknown:
            raise ValidationError(f"Unknown choices {sorted(unknown)}.", field="choices")
        prices = StayRoomPrice.objects.filter(product=product).select_related("room_category")
        slug = choices.get("room_category")
        price = (
            prices.filter(room_category__slug=slug).first()
            if slug is not None
            else prices.filter(is_default=True).first()
        )
        if price is None:
            raise ValidationError("Unknown room category.", field="choices.room_category")
        nights = _count(choices, "nights", product.nights)
        persons = _count(choices, "persons", product.persons)
        if product.nights is not None and product.persons is not None:
            return price.price_minor
        return price.price_minor * nights * persons
    if product.type == VoucherType.SERVICES:
        unknown = set(choices) - {"services"}
        wanted = choices.get("services")
        if unknown or not isinstance(wanted, dict) or not wanted:
            raise ValidationError(
                'Services products take choices {"services": {"<slug>": quantity}}.',
                field="choices",
            )
        offered = {s.slug: s for s in product.services.all()}
        total = 0
        for slug, quantity in wanted.items():
            if slug not in offered:
                raise ValidationError(f"Unknown service {slug!r}.", field="choices.services")
            if (
                isinstance(quantity, bool)
                or not isinstance(quantity, int)
                or not 1 <= quantity <= 99
            ):
                raise ValidationError(
                    "Quantities are whole numbers from 1 to 99.", field="choices.services"
                )
            total += offered[slug].price_minor * quantity
        return total
    raise ValidationError("Value vouchers take a value, not choices.", field="choices")
