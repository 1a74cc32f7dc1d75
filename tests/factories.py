"""Factories for tests: small functions that build valid objects."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hotel_vouchers.catalog.models import ProductPosition, VoucherProduct
from hotel_vouchers.core.models import AuditEvent, IdempotencyRecord
from hotel_vouchers.properties.models import Hotel, Location, Organisation
from hotel_vouchers.vouchers.models import Hold, LedgerEntry, Voucher, VoucherPosition
from hotel_vouchers.vouchers.services import voucher_issue

_seq = itertools.count(1)


def organisation(slug: str | None = None, currency: str = "EUR") -> Organisation:
    n = next(_seq)
    return Organisation.objects.create(slug=slug or f"org-{n}", name=f"Org {n}", currency=currency)


def hotel(org: Organisation, slug: str | None = None) -> Hotel:
    n = next(_seq)
    return Hotel.objects.create(organisation=org, slug=slug or f"hotel-{n}", name=f"Hotel {n}")


def location(h: Hotel, slug: str | None = None) -> Location:
    n = next(_seq)
    return Location.objects.create(hotel=h, slug=slug or f"loc-{n}", name=f"Location {n}")


def product_with_positions(
    org: Organisation, h: Hotel, positions: list[tuple[str, str, int, list[Location], bool]]
) -> VoucherProduct:
    """positions: (subcode, label, amount_minor, locations, partial_allowed)."""
    product = VoucherProduct.objects.create(
        organisation=org, hotel=h, name=f"Positions {next(_seq)}", type="services"
    )
    for order, (letter, label, minor, locations, partial) in enumerate(positions):
        pos = ProductPosition.objects.create(
            product=product,
            label=label,
            amount_minor=minor,
            subcode=letter,
            partial_allowed=partial,
            sort_order=order,
        )
        pos.locations.set(locations)
    return product


def value_voucher(
    h: Hotel,
    value: str = "100.00",
    *,
    paid: bool = True,
    cross_hotel: bool = False,
    **kwargs,
) -> Voucher:
    return voucher_issue(
        organisation=h.organisation,
        hotel=h,
        value=Decimal(value),
        paid=paid,
        cross_hotel=cross_hotel,
        actor="test",
        **kwargs,
    )


def snapshot(voucher_id: int) -> dict:
    """Everything a refused operation must leave as it was."""
    voucher = Voucher.objects.get(pk=voucher_id)
    return {
        "voucher": (
            voucher.balance_minor,
            voucher.held_minor,
            voucher.paid_at,
            voucher.cancelled_at,
            voucher.expired_at,
            voucher.valid_until,
        ),
        "entries": list(
            LedgerEntry.objects.filter(voucher_id=voucher_id).values_list("id", flat=True)
        ),
        "holds": list(
            Hold.objects.filter(voucher_id=voucher_id).values_list("id", "status", "captured_minor")
        ),
        "positions": list(
            VoucherPosition.objects.filter(voucher_id=voucher_id).values_list(
                "id", "remaining_minor"
            )
        ),
        "audit": AuditEvent.objects.count(),
        "idempotency": IdempotencyRecord.objects.count(),
    }
