"""Reads about vouchers. Scoped by organisation: another one's code is not found."""

from __future__ import annotations

from django.db.models import Sum

from hotel_vouchers.core.codes import ParsedCode, parse_code
from hotel_vouchers.core.errors import VoucherNotFound
from hotel_vouchers.properties.models import Organisation
from hotel_vouchers.vouchers.models import LedgerEntry, Voucher


def voucher_get_by_code(*, organisation: Organisation, code: str) -> tuple[Voucher, ParsedCode]:
    """The voucher a code names (with its sub-code), or InvalidCode / VoucherNotFound.

    A malformed code or a wrong check character fails before any query."""
    parsed = parse_code(code)
    voucher = (
        Voucher.objects.select_related("hotel", "product")
        .filter(organisation=organisation, code=parsed.code)
        .first()
    )
    if voucher is None:
        raise VoucherNotFound("No voucher with this code.")
    return voucher, parsed


def voucher_ledger_sum(*, voucher_id: int) -> int:
    total = LedgerEntry.objects.filter(voucher_id=voucher_id).aggregate(s=Sum("amount_minor"))
    return total["s"] or 0


def voucher_entries(*, voucher_id: int):
    return LedgerEntry.objects.filter(voucher_id=voucher_id).order_by("id")
