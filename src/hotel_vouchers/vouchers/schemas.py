"""API schemas for vouchers, holds and transactions (shared/API.md), and the
functions that turn model objects into them.

Money leaves as a string with exactly the currency's minor digits; it comes
in as a string or a JSON number in plain decimal notation (never a float)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from hotel_vouchers.core.money import format_amount

AmountIn = Annotated[
    str | Decimal,
    Field(
        union_mode="left_to_right",
        description='An amount: a decimal string ("12.50") or a JSON number in plain decimal '
        "notation, with at most the currency's minor digits; positive, at most 1,000,000,000.",
        examples=["12.50"],
    ),
]
Money = Annotated[str, Field(description="Decimal string with the currency's minor digits.")]
Text100 = Annotated[str, StringConstraints(max_length=100)]
Text500 = Annotated[str, StringConstraints(max_length=500)]
CodeIn = Annotated[str, StringConstraints(min_length=1, max_length=100)]


def iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


class Problem(Schema):
    """RFC 9457 problem details; `code` is stable, `detail` is for people."""

    type: str
    title: str
    status: int
    code: str = Field(description="Stable error code (API.md 'Error codes').")
    detail: str
    model_config = {"extra": "allow"}


# --- out ---------------------------------------------------------------------


class ProductRef(Schema):
    id: int
    name: str


class HotelRef(Schema):
    id: int
    slug: str


class PositionOut(Schema):
    id: int
    label: str
    subcode: str = Field(description="Letter that names the position: `a.CODE`.")
    amount: Money
    remaining: Money
    partial_allowed: bool
    locations: list[str] = Field(description="Slugs of the locations that redeem it.")


class VoucherLinks(Schema):
    pdf: str | None = Field(description="Signed URL of the voucher PDF, when there is one.")


class VoucherOut(Schema):
    code: str = Field(description="Canonical form, e.g. EDQR-TU3A-M3F7.")
    status: Literal["unpaid", "active", "partially_redeemed", "redeemed", "expired", "cancelled"]
    type: Literal["value", "stay", "services"]
    product: ProductRef | None
    hotel: HotelRef = Field(description="The issuing hotel.")
    cross_hotel: bool = Field(description="Redeemable at every hotel of the organisation.")
    currency: str
    original_value: Money
    balance: Money
    held: Money = Field(description="Reserved by active holds.")
    available: Money = Field(description="balance - held.")
    issued_at: str
    paid_at: str | None
    valid_until: date | None
    positions: list[PositionOut]
    recipient_name: str
    links: VoucherLinks
    position: PositionOut | None = Field(
        None, description="The position a sub-code (`a.CODE`) named, if any."
    )


class TransactionOut(Schema):
    id: int
    type: Literal[
        "issue",
        "redeem",
        "capture",
        "reversal",
        "refund",
        "expire",
        "reactivate",
        "adjust",
        "cancel",
    ]
    amount: Money = Field(description="Signed: a redemption is negative.")
    currency: str
    balance_after: Money
    position_id: int | None
    hold_id: int | None
    location: str | None = Field(description="Slug of the location, if any.")
    reference: str
    created_at: str


class HoldOut(Schema):
    id: int
    code: str
    amount: Money
    currency: str
    reference: str
    status: Literal["active", "captured", "released", "expired"]
    expires_at: str
    captured_amount: Money


class TransactionWithVoucher(Schema):
    transaction: TransactionOut
    voucher: VoucherOut


class HoldWithVoucher(Schema):
    hold: HoldOut
    voucher: VoucherOut


class CaptureOut(Schema):
    transaction: TransactionOut
    hold: HoldOut
    voucher: VoucherOut


class VoucherPage(Schema):
    results: list[VoucherOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null at the end."
    )


class BatchResult(Schema):
    index: int
    status: int = Field(description="The HTTP status the item would have had alone.")
    transaction: TransactionOut | None = None
    error: Problem | None = None


class BatchOut(Schema):
    results: list[BatchResult]


# --- in ----------------------------------------------------------------------


class RedemptionIn(Schema):
    amount: AmountIn | None = Field(
        None, description="Required unless a position (position_id or sub-code) is named."
    )
    position_id: int | None = None
    location: Text100 | None = Field(
        None,
        description="Location slug (or hotel/location); a location-bound client's own "
        "location by default.",
    )
    reference: Text100 = ""
    note: Text500 = ""


class HoldIn(Schema):
    amount: AmountIn
    reference: Text100 = Field(description="What the hold is for, e.g. the booking number.")
    expires_in: int | None = Field(
        None, description="Seconds until the hold expires: 1-604800, default 900."
    )
    location: Text100 | None = None


class CaptureIn(Schema):
    amount: AmountIn | None = Field(None, description="At most the held amount; default all.")


class ReversalIn(Schema):
    reason: Text500 = ""


class PersonIn(Schema):
    name: Annotated[str, StringConstraints(max_length=200)] = ""
    email: Annotated[str, StringConstraints(max_length=200)] = ""


class IssueIn(Schema):
    product_id: int | None = None
    value: AmountIn | None = Field(None, description="Where the buyer chooses the value.")
    currency: Annotated[str, StringConstraints(min_length=3, max_length=3)] | None = None
    choices: dict[str, Any] | None = Field(
        None, description="Choices for stay and services products (e.g. room_category)."
    )
    hotel: Text100 | None = Field(
        None, description="Issuing hotel slug; the client's hotel or the product's by default."
    )
    paid: bool = False
    buyer: PersonIn | None = None
    recipient: PersonIn | None = None
    reference: Text100 = ""
    valid_until: date | None = None
    code: Annotated[str, StringConstraints(max_length=100)] | None = Field(
        None, description="A code of the hotel's own (4-32 letters and digits)."
    )


class BatchItemIn(Schema):
    code: CodeIn
    amount: AmountIn | None = None
    position_id: int | None = None
    location: Text100 | None = None
    reference: Text100
    idempotency_key: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    occurred_at: datetime = Field(description="When the register redeemed it (ISO 8601).")


class BatchIn(Schema):
    items: list[BatchItemIn] = Field(max_length=1000)


# --- building the out objects -------------------------------------------------


def position_out(position, currency: str) -> dict[str, Any]:
    return {
        "id": position.pk,
        "label": position.label,
        "subcode": position.subcode,
        "amount": format_amount(position.amount_minor, currency),
        "remaining": format_amount(position.remaining_minor, currency),
        "partial_allowed": position.partial_allowed,
        "locations": [location.slug for location in position.locations.all()],
    }


def voucher_out(
    voucher, *, held_minor: int, positions: list, position=None, pdf_url: str | None = None
) -> dict[str, Any]:
    currency = voucher.currency
    out = {
        "code": voucher.display_code,
        "status": voucher.status,
        "type": voucher.type,
        "product": {"id": voucher.product_id, "name": voucher.product_name}
        if voucher.product_id
        else None,
        "hotel": {"id": voucher.hotel_id, "slug": voucher.hotel.slug},
        "cross_hotel": voucher.cross_hotel,
        "currency": currency,
        "original_value": format_amount(voucher.original_value_minor, currency),
        "balance": format_amount(voucher.balance_minor, currency),
        "held": format_amount(held_minor, currency),
        "available": format_amount(voucher.balance_minor - held_minor, currency),
        "issued_at": iso(voucher.issued_at),
        "paid_at": iso(voucher.paid_at),
        "valid_until": voucher.valid_until.isoformat() if voucher.valid_until else None,
        "positions": [position_out(p, currency) for p in positions],
        "recipient_name": voucher.recipient_name,
        "links": {"pdf": pdf_url},
    }
    if position is not None:
        out["position"] = position_out(position, currency)
    return out


def transaction_out(entry, *, currency: str, location_slug: str | None) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "type": entry.kind,
        "amount": format_amount(entry.amount_minor, currency),
        "currency": currency,
        "balance_after": format_amount(entry.balance_after_minor, currency),
        "position_id": entry.position_id,
        "hold_id": entry.hold_id,
        "location": location_slug,
        "reference": entry.reference,
        "created_at": iso(entry.created_at),
    }


def hold_out(hold, *, code: str, currency: str, now: datetime) -> dict[str, Any]:
    return {
        "id": hold.pk,
        "code": code,
        "amount": format_amount(hold.amount_minor, currency),
        "currency": currency,
        "reference": hold.reference,
        "status": hold.effective_status(now),
        "expires_at": iso(hold.expires_at),
        "captured_amount": format_amount(hold.captured_minor, currency),
    }
