"""Pure voucher arithmetic and rules, without Django (tested without a database)."""

from __future__ import annotations

from datetime import date

from hotel_vouchers.core.errors import (
    InsufficientBalance,
    PartialNotAllowed,
    PositionRedeemed,
    VoucherCancelled,
    VoucherExpired,
    VoucherUnpaid,
)
from hotel_vouchers.core.money import format_amount

UNPAID = "unpaid"
ACTIVE = "active"
PARTIALLY_REDEEMED = "partially_redeemed"
REDEEMED = "redeemed"
EXPIRED = "expired"
CANCELLED = "cancelled"


def available(*, balance: int, held: int) -> int:
    return balance - held


def is_past_validity(*, valid_until: date | None, today: date) -> bool:
    return valid_until is not None and valid_until < today


def voucher_status(
    *,
    today: date,
    cancelled: bool,
    expired: bool,
    valid_until: date | None,
    paid: bool,
    balance: int,
    original: int,
) -> str:
    if cancelled:
        return CANCELLED
    if expired or is_past_validity(valid_until=valid_until, today=today):
        return EXPIRED
    if not paid:
        return UNPAID
    if balance == 0:
        return REDEEMED
    if balance < original:
        return PARTIALLY_REDEEMED
    return ACTIVE


def check_redeemable(*, status: str) -> None:
    """Only paid vouchers within their validity, not cancelled, can be used."""
    if status == CANCELLED:
        raise VoucherCancelled("This voucher has been cancelled.")
    if status == EXPIRED:
        raise VoucherExpired("This voucher has expired.")
    if status == UNPAID:
        raise VoucherUnpaid("This voucher has not been paid yet.")


def check_amount_available(*, amount: int, available_minor: int, currency: str) -> None:
    if amount > available_minor:
        available_text = format_amount(available_minor, currency)
        raise InsufficientBalance(f"Only {available_text} is available.", available=available_text)


def position_redemption_amount(
    *, requested: int | None, remaining: int, partial_allowed: bool, remaining_text: str
) -> int:
    """How much a position redemption takes: all that remains unless told."""
    if remaining == 0:
        raise PositionRedeemed("This position has been redeemed already.")
    amount = remaining if requested is None else requested
    if amount > remaining:
        raise InsufficientBalance(
            f"Only {remaining_text} remains on this position.", available=remaining_text
        )
    if amount < remaining and not partial_allowed:
        raise PartialNotAllowed(
            f"This position is redeemed as a whole ({remaining_text}).", remaining=remaining_text
        )
    return amount
