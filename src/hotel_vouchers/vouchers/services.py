"""The only code that changes voucher balances.

Every service that moves value runs in one transaction: lock the voucher
(`select_for_update` on PostgreSQL; on SQLite every transaction is IMMEDIATE,
so it holds the write lock from BEGIN), check after the lock, append ledger
entries, update the cached balance with `update_fields`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from hotel_vouchers.catalog.domain import PricedPosition, valid_until_for
from hotel_vouchers.catalog.models import AccountingClass, VoucherProduct, VoucherType
from hotel_vouchers.catalog.selectors import product_price
from hotel_vouchers.core.codes import generate_code, normalise_manual_code
from hotel_vouchers.core.errors import (
    AlreadyReversed,
    AmountExceedsHold,
    CurrencyMismatch,
    DuplicateCode,
    HoldExpired,
    HoldNotActive,
    HoldNotFound,
    NotFound,
    NotRedeemableHere,
    NotReversible,
    PositionNotFound,
    ValidationError,
    VoucherCancelled,
    VoucherExpired,
    VoucherNotFound,
)
from hotel_vouchers.core.idempotency import fingerprint, idempotency_claim
from hotel_vouchers.core.models import AuditEvent
from hotel_vouchers.core.money import (
    format_amount,
    parse_amount,
    to_minor,
    validate_currency,
)
from hotel_vouchers.properties.models import Hotel, Location, Organisation
from hotel_vouchers.vouchers import domain, ledger
from hotel_vouchers.vouchers.models import Hold, LedgerEntry, Voucher, VoucherPosition
from hotel_vouchers.webhooks.services import webhook_event_emit

Kind = LedgerEntry.Kind
DEFAULT_HOLD_SECONDS = 900
MAX_HOLD_SECONDS = 604_800
MAX_TEXT = {"reference": 100, "note": 500}


# --- building blocks -------------------------------------------------------


def _lock_voucher(voucher_id: int) -> Voucher:
    voucher = ledger.lock_voucher(voucher_id)
    if voucher is None:
        raise VoucherNotFound("No voucher with this code.")
    return voucher


def _sweep_expired_holds(voucher: Voucher, now: datetime) -> None:
    """Holds past their time reserve nothing: close them under the voucher lock."""
    if voucher.held_minor == 0:
        return
    due = list(Hold.objects.filter(voucher=voucher, status=Hold.Status.ACTIVE, expires_at__lte=now))
    if not due:
        return
    for hold in due:
        hold.status = Hold.Status.EXPIRED
        hold.closed_at = now
        hold.save(update_fields=["status", "closed_at"])
    voucher.held_minor -= sum(h.amount_minor for h in due)
    voucher.changed_at = now
    voucher.save(update_fields=["held_minor", "changed_at"])
    for hold in due:
        _emit(voucher, "hold.expired", hold=hold)


def _append(
    voucher: Voucher,
    *,
    kind: str,
    amount_minor: int,
    actor: str,
    now: datetime,
    position: VoucherPosition | None = None,
    hold: Hold | None = None,
    hotel_id: int | None = None,
    location_id: int | None = None,
    reference: str = "",
    note: str = "",
    idempotency_key: str = "",
    reverses: LedgerEntry | None = None,
    occurred_at: datetime | None = None,
) -> LedgerEntry:
    """Append one entry and move the cached balance with it (voucher is locked)."""
    new_balance = voucher.balance_minor + amount_minor
    domain.check_amount_available(
        amount=-amount_minor,
        available_minor=voucher.available_minor,
        currency=voucher.currency,
    )
    if position is not None:
        position.remaining_minor += amount_minor
        position.save(update_fields=["remaining_minor"])
    voucher.balance_minor = new_balance
    entry = ledger.entry_insert(
        voucher=voucher,
        now=now,
        values={
            "kind": kind,
            "amount_minor": amount_minor,
            "balance_after_minor": new_balance,
            "position_id": position.pk if position else None,
            "hold_id": hold.pk if hold else None,
            "hotel_id": hotel_id,
            "location_id": location_id,
            "actor": actor,
            "reference": reference,
            "note": note,
            "idempotency_key": idempotency_key,
            "reverses_id": reverses.pk if reverses else None,
            "occurred_at": occurred_at,
        },
    )
    if position is not None:
        entry.position = position
    if hold is not None:
        entry.hold = hold
    return entry


def _audit(*, organisation_id: int | None, actor: str, action: str, obj: Any, **data: Any) -> None:
    AuditEvent.objects.create(
        organisation_id=organisation_id,
        actor=actor,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        data=data,
    )


def _voucher_data(voucher: Voucher) -> dict[str, Any]:
    currency = voucher.currency
    return {
        "code": voucher.display_code,
        "status": voucher.status,
        "hotel_id": voucher.hotel_id,
        "cross_hotel": voucher.cross_hotel,
        "currency": currency,
        "original_value": format_amount(voucher.original_value_minor, currency),
        "balance": format_amount(voucher.balance_minor, currency),
        "held": format_amount(voucher.held_minor, currency),
        "available": format_amount(voucher.available_minor, currency),
        "valid_until": voucher.valid_until.isoformat() if voucher.valid_until else None,
    }


def _entry_data(entry: LedgerEntry, currency: str) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "type": entry.kind,
        "amount": format_amount(entry.amount_minor, currency),
        "currency": currency,
        "balance_after": format_amount(entry.balance_after_minor, currency),
        "position_id": entry.position_id,
        "hold_id": entry.hold_id,
        "hotel_id": entry.hotel_id,
        "location_id": entry.location_id,
        "reference": entry.reference,
        "created_at": entry.created_at.isoformat(),
    }


def _hold_data(hold: Hold, currency: str) -> dict[str, Any]:
    return {
        "id": hold.pk,
        "amount": format_amount(hold.amount_minor, currency),
        "currency": currency,
        "reference": hold.reference,
        "status": hold.status,
        "expires_at": hold.expires_at.isoformat(),
        "captured_amount": format_amount(hold.captured_minor, currency),
    }


def _emit(
    voucher: Voucher,
    event: str,
    *,
    entry: LedgerEntry | None = None,
    hold: Hold | None = None,
) -> None:
    """A webhook event in this transaction; the data is built only if someone listens."""

    def data() -> dict[str, Any]:
        out: dict[str, Any] = {"voucher": _voucher_data(voucher)}
        if entry is not None:
            out["transaction"] = _entry_data(entry, voucher.currency)
        if hold is not None:
            out["hold"] = _hold_data(hold, voucher.currency)
        return out

    webhook_event_emit(organisation_id=voucher.organisation_id, type=event, data=data)


def _text(value: str | None, *, field: str) -> str:
    value = (value or "").strip()
    limit = MAX_TEXT.get(field, 200)
    if len(value) > limit:
        raise ValidationError(f"{field} has at most {limit} characters.", field=field)
    return value


def _amount(value: Any, voucher: Voucher, *, field: str = "amount") -> int:
    return to_minor(parse_amount(value, currency=voucher.currency, field=field), voucher.currency)


def _check_currency(voucher: Voucher, currency: str | None) -> None:
    if currency is not None and currency != voucher.currency:
        raise CurrencyMismatch(
            f"This voucher is in {voucher.currency}, not {currency}.", currency=voucher.currency
        )


@dataclass(frozen=True, slots=True)
class Place:
    """Where an operation happens: a hotel, and maybe one of its locations."""

    hotel_id: int | None
    location_id: int | None


def _place(voucher: Voucher, *, hotel: Hotel | None, location: Location | None) -> Place:
    """Check the voucher may be used here: its own hotel, or any hotel of the
    organisation when it is cross-hotel. No place given means its own hotel."""
    if location is not None:
        if hotel is not None and location.hotel_id != hotel.pk:
            raise NotRedeemableHere("This location belongs to another hotel.")
        hotel_id = location.hotel_id
        organisation_id = location.hotel.organisation_id
    elif hotel is not None:
        hotel_id, organisation_id = hotel.pk, hotel.organisation_id
    else:
        return Place(hotel_id=voucher.hotel_id, location_id=None)
    if organisation_id != voucher.organisation_id:
        raise NotRedeemableHere("This voucher belongs to another organisation.")
    if hotel_id != voucher.hotel_id and not voucher.cross_hotel:
        raise NotRedeemableHere("This voucher can be redeemed at its own hotel only.")
    return Place(hotel_id=hotel_id, location_id=location.pk if location else None)


def _find_position(
    voucher: Voucher, *, position_id: int | None, subcode: str | None
) -> VoucherPosition | None:
    if position_id is None and not subcode:
        return None
    positions = VoucherPosition.objects.filter(voucher=voucher)
    if position_id is not None:
        positions = positions.filter(pk=position_id)
    if subcode:
        positions = positions.filter(subcode=subcode.lower())
    position = positions.first()
    if position is None:
        raise PositionNotFound("This voucher has no such position.")
    return position


def _idempotent(
    *,
    actor: str,
    idempotency_key: str | None,
    request: dict[str, Any],
    load: Callable[[dict[str, Any]], Any],
    work: Callable[[], tuple[Any, dict[str, Any]]],
) -> Any:
    """Run `work` once per key (inside the caller's transaction, after its lock)."""
    if not idempotency_key:
        return work()[0]
    record, created = idempotency_claim(
        scope=actor, key=idempotency_key, request_fingerprint=fingerprint(request)
    )
    if not created:
        return load(record.result)
    result, ref = work()
    record.result = ref
    record.save(update_fields=["result"])
    return result


def _load_entry(ref: dict[str, Any]) -> LedgerEntry:
    return LedgerEntry.objects.select_related("voucher").get(pk=ref["ledger_entry"])


def _load_hold(ref: dict[str, Any]) -> Hold:
    return Hold.objects.select_related("voucher").get(pk=ref["hold"])


def _load_voucher(ref: dict[str, Any]) -> Voucher:
    return Voucher.objects.get(pk=ref["voucher"])


# --- issuing ---------------------------------------------------------------


def voucher_issue(
    *,
    organisation: Organisation,
    hotel: Hotel,
    actor: str,
    product: VoucherProduct | None = None,
    value: Decimal | str | int | None = None,
    choices: dict[str, Any] | None = None,
    currency: str | None = None,
    code: str | None = None,
    paid: bool = False,
    valid_until: date | None = None,
    no_expiry: bool = False,
    cross_hotel: bool | None = None,
    accounting_class: str | None = None,
    buyer_name: str = "",
    buyer_email: str = "",
    recipient_name: str = "",
    recipient_email: str = "",
    dedication: str = "",
    language: str = "de",
    reference: str = "",
    idempotency_key: str | None = None,
) -> Voucher:
    """Issue a voucher: from a product at the price of `catalog.selectors.product_price`
    for the buyer's `choices` (positions copied with their computed amounts), or a
    plain value."""
    if hotel.organisation_id != organisation.pk:
        raise ValidationError("This hotel belongs to another organisation.", field="hotel")
    currency = validate_currency(currency or organisation.currency)
    if product is not None:
        if product.organisation_id != organisation.pk:
            raise ValidationError("Unknown product.", field="product_id")
        if currency != organisation.currency:
            raise CurrencyMismatch(
                f"Products of this organisation are sold in {organisation.currency}.",
                currency=organisation.currency,
            )
    manual = code is not None
    stored_code = normalise_manual_code(code) if manual else None
    reference = _text(reference, field="reference")
    if accounting_class is not None and accounting_class not in AccountingClass.values:
        raise ValidationError("Unknown accounting class.", field="accounting_class")
    value_minor, templates = _issue_value(
        product=product, value=value, choices=choices, currency=currency
    )
    today = timezone.localdate()
    if valid_until is not None and valid_until < today:
        raise ValidationError("valid_until lies in the past.", field="valid_until")
    if valid_until is None and not no_expiry:
        valid_until = valid_until_for(
            issued_on=today,
            years=product.validity_years if product else 3,
            to_year_end=product.validity_to_year_end if product else True,
        )
    request = {
        "op": "voucher_issue",
        "organisation": organisation.pk,
        "hotel": hotel.pk,
        "product": product.pk if product else None,
        "value": value_minor,
        "currency": currency,
        "code": stored_code,
        "paid": paid,
        "valid_until": valid_until,
        "reference": reference,
    }
    if choices:
        request["choices"] = choices

    def work() -> tuple[Voucher, dict[str, Any]]:
        now = timezone.now()
        voucher = _create_voucher(
            organisation=organisation,
            hotel=hotel,
            product=product,
            stored_code=stored_code,
            fields=dict(
                product_name=product.display_name() if product else "",
                type=product.type if product else VoucherType.VALUE,
                accounting_class=accounting_class
                or (product.accounting_class if product else AccountingClass.PURCHASE),
                manual_code=manual,
                has_positions=bool(templates),
                currency=currency,
                original_value_minor=value_minor,
                balance_minor=0,
                cross_hotel=cross_hotel
                if cross_hotel is not None
                else (product.cross_hotel if product else False),
                issued_at=now,
                paid_at=now if paid else None,
                valid_until=valid_until,
                buyer_name=_text(buyer_name, field="buyer_name"),
                buyer_email=_text(buyer_email, field="buyer_email"),
                recipient_name=_text(recipient_name, field="recipient_name"),
                recipient_email=_text(recipient_email, field="recipient_email"),
                dedication=(dedication or "").strip()[:2000],
                language=language,
                reference=reference,
                changed_at=now,
            ),
        )
        for template in templates:
            position = VoucherPosition.objects.create(
                voucher=voucher,
                label=template.rule.label,
                subcode=template.rule.subcode,
                amount_minor=template.amount_minor,
                remaining_minor=0,
                partial_allowed=template.rule.partial_allowed,
                sort_order=template.rule.sort_order,
            )
            position.locations.set(template.rule.location_ids)
            _append(
                voucher,
                kind=Kind.ISSUE,
                amount_minor=template.amount_minor,
                actor=actor,
                now=now,
                position=position,
                reference=reference,
            )
        if not templates:
            _append(
                voucher,
                kind=Kind.ISSUE,
                amount_minor=value_minor,
                actor=actor,
                now=now,
                reference=reference,
            )
        _audit(
            organisation_id=organisation.pk,
            actor=actor,
            action="voucher.issued",
            obj=voucher,
            paid=paid,
        )
        _emit(voucher, "voucher.issued")
        return voucher, {"voucher": voucher.pk}

    with transaction.atomic():
        return _idempotent(
            actor=actor,
            idempotency_key=idempotency_key,
            request=request,
            load=_load_voucher,
            work=work,
        )


def _issue_value(
    *,
    product: VoucherProduct | None,
    value: Any,
    choices: dict[str, Any] | None,
    currency: str,
) -> tuple[int, list[PricedPosition]]:
    """The value in minor units and the positions to copy: the product's price for the
    choices (a value voucher's value is one of them), or the plain value."""
    if product is None:
        if choices:
            raise ValidationError("Choices are made for a product.", field="choices")
        if value is None:
            raise ValidationError("A value is required.", field="value")
        return to_minor(parse_amount(value, currency=currency, field="value"), currency), []
    asked = dict(choices or {})
    if product.type == VoucherType.VALUE and value is not None:
        if "value" in asked and asked["value"] != value:
            raise ValidationError("Give the value once.", field="value")
        asked["value"] = value
    price = product_price(product=product, choices=asked)
    if value is not None and "value" not in asked:
        minor = to_minor(parse_amount(value, currency=currency, field="value"), currency)
        if minor != price.total_minor:
            total = format_amount(price.total_minor, currency)
            raise ValidationError(
                f"The value of a voucher with positions is the sum of its positions ({total})."
                if price.positions
                else f"This product costs {total} with these choices.",
                field="value",
            )
    return price.total_minor, list(price.positions)


def _create_voucher(
    *,
    organisation: Organisation,
    hotel: Hotel,
    product: VoucherProduct | None,
    stored_code: str | None,
    fields: dict[str, Any],
) -> Voucher:
    """Insert the voucher row; the database's unique index decides about codes."""
    attempts = 1 if stored_code else 5
    for _ in range(attempts):
        try:
            with transaction.atomic():
                return Voucher.objects.create(
                    organisation=organisation,
                    hotel=hotel,
                    product=product,
                    code=stored_code or generate_code(),
                    **fields,
                )
        except IntegrityError:
            if stored_code:
                raise DuplicateCode(
                    "This organisation already has a voucher with this code.", field="code"
                ) from None
    raise RuntimeError("Could not find a free voucher code in 5 attempts")  # 2**55 codes


def voucher_mark_paid(*, voucher_id: int, actor: str) -> Voucher:
    """Mark paid (idempotent: an already paid voucher keeps its paid date)."""
    with transaction.atomic():
        voucher = _lock_voucher(voucher_id)
        if voucher.cancelled_at is not None:
            raise VoucherCancelled("A cancelled voucher cannot be marked paid.")
        if voucher.paid_at is None:
            now = timezone.now()
            voucher.paid_at = now
            voucher.changed_at = now
            voucher.save(update_fields=["paid_at", "changed_at"])
            _audit(
                organisation_id=voucher.organisation_id,
                actor=actor,
                action="voucher.paid",
                obj=voucher,
            )
            _emit(voucher, "voucher.paid")
        return voucher


# --- redeeming -------------------------------------------------------------


def voucher_redeem(
    *,
    voucher_id: int,
    actor: str,
    amount: Decimal | str | int | None = None,
    currency: str | None = None,
    position_id: int | None = None,
    subcode: str | None = None,
    hotel: Hotel | None = None,
    location: Location | None = None,
    reference: str = "",
    note: str = "",
    occurred_at: datetime | None = None,
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Redeem an amount, or (part of) a position. Partial only where allowed.

    `occurred_at`: when a register redeemed it offline; the entry still counts
    from now, when the balance changes."""
    reference = _text(reference, field="reference")
    note = _text(note, field="note")
    request = {
        "op": "voucher_redeem",
        "voucher": voucher_id,
        "amount": str(amount),
        "currency": currency,
        "position": position_id,
        "subcode": subcode,
        "hotel": hotel.pk if hotel else None,
        "location": location.pk if location else None,
        "reference": reference,
        "note": note,
        "occurred_at": occurred_at,
    }
    with transaction.atomic():
        voucher = _lock_voucher(voucher_id)

        def work() -> tuple[LedgerEntry, dict[str, Any]]:
            now = timezone.now()
            _sweep_expired_holds(voucher, now)
            domain.check_redeemable(status=voucher.status)
            _check_currency(voucher, currency)
            place = _place(voucher, hotel=hotel, location=location)
            position = _find_position(voucher, position_id=position_id, subcode=subcode)
            if position is None:
                if voucher.has_positions:
                    raise ValidationError(
                        "This voucher is redeemed per position: give position_id or a sub-code.",
                        field="position_id",
                    )
                if amount is None:
                    raise ValidationError("An amount is required.", field="amount")
                minor = _amount(amount, voucher)
            else:
                if location is None:
                    raise ValidationError(
                        "A position is redeemed at a location: give the location.",
                        field="location",
                    )
                if not position.locations.filter(pk=location.pk).exists():
                    raise NotRedeemableHere("This position cannot be redeemed at this location.")
                requested = None if amount is None else _amount(amount, voucher)
                minor = domain.position_redemption_amount(
                    requested=requested,
                    remaining=position.remaining_minor,
                    partial_allowed=position.partial_allowed,
                    remaining_text=format_amount(position.remaining_minor, voucher.currency),
                )
            entry = _append(
                voucher,
                kind=Kind.REDEEM,
                amount_minor=-minor,
                actor=actor,
                now=now,
                position=position,
                hotel_id=place.hotel_id,
                location_id=place.location_id,
                reference=reference,
                note=note,
                idempotency_key=idempotency_key or "",
                occurred_at=occurred_at,
            )
            _emit(voucher, "voucher.redeemed", entry=entry)
            return entry, {"ledger_entry": entry.pk}

        return _idempotent(
            actor=actor,
            idempotency_key=idempotency_key,
            request=request,
            load=_load_entry,
            work=work,
        )


# --- holds -----------------------------------------------------------------


def hold_create(
    *,
    voucher_id: int,
    actor: str,
    amount: Decimal | str | int,
    reference: str,
    currency: str | None = None,
    expires_in: int | None = None,
    hotel: Hotel | None = None,
    location: Location | None = None,
    idempotency_key: str | None = None,
) -> Hold:
    """Reserve an amount for a reference (a booking) until capture, release or expiry."""
    reference = _text(reference, field="reference")
    if not reference:
        raise ValidationError("A hold needs a reference (e.g. the booking).", field="reference")
    seconds = DEFAULT_HOLD_SECONDS if expires_in is None else expires_in
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int)
        or not 1 <= seconds <= MAX_HOLD_SECONDS
    ):
        raise ValidationError(
            f"expires_in is a whole number of seconds from 1 to {MAX_HOLD_SECONDS}.",
            field="expires_in",
        )
    request = {
        "op": "hold_create",
        "voucher": voucher_id,
        "amount": str(amount),
        "currency": currency,
        "reference": reference,
        "expires_in": seconds,
        "hotel": hotel.pk if hotel else None,
        "location": location.pk if location else None,
    }
    with transaction.atomic():
        voucher = _lock_voucher(voucher_id)

        def work() -> tuple[Hold, dict[str, Any]]:
            now = timezone.now()
            _sweep_expired_holds(voucher, now)
            domain.check_redeemable(status=voucher.status)
            _check_currency(voucher, currency)
            place = _place(voucher, hotel=hotel, location=location)
            if voucher.has_positions:
                raise ValidationError(
                    "Vouchers with positions are redeemed per position, not held.",
                    field="amount",
                )
            minor = _amount(amount, voucher)
            domain.check_amount_available(
                amount=minor,
                available_minor=voucher.available_minor,
                currency=voucher.currency,
            )
            hold = Hold.objects.create(
                voucher=voucher,
                amount_minor=minor,
                reference=reference,
                actor=actor,
                expires_at=now + timedelta(seconds=seconds),
                created_at=now,
                hotel_id=place.hotel_id,
                location_id=place.location_id,
            )
            voucher.held_minor += minor
            voucher.changed_at = now
            voucher.save(update_fields=["held_minor", "changed_at"])
            _emit(voucher, "hold.created", hold=hold)
            return hold, {"hold": hold.pk}

        return _idempotent(
            actor=actor,
            idempotency_key=idempotency_key,
            request=request,
            load=_load_hold,
            work=work,
        )


def _lock_hold(hold_id: int) -> tuple[Voucher, Hold]:
    """Lock the voucher first, then the hold: the same order on every path."""
    voucher_id = Hold.objects.filter(pk=hold_id).values_list("voucher_id", flat=True).first()
    if voucher_id is None:
        raise HoldNotFound("No hold with this id.")
    voucher = _lock_voucher(voucher_id)
    hold = Hold.objects.select_for_update().get(pk=hold_id)
    return voucher, hold


def hold_capture(
    *,
    hold_id: int,
    actor: str,
    amount: Decimal | str | int | None = None,
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Turn a hold into a redemption, in part or whole; the rest is released."""
    request = {"op": "hold_capture", "hold": hold_id, "amount": str(amount)}
    with transaction.atomic():
        voucher, hold = _lock_hold(hold_id)

        def work() -> tuple[LedgerEntry, dict[str, Any]]:
            now = timezone.now()
            _sweep_expired_holds(voucher, now)
            hold.refresh_from_db(fields=["status", "closed_at"])
            if hold.status == Hold.Status.EXPIRED:
                raise HoldExpired("This hold has expired and can no longer be captured.")
            if hold.status != Hold.Status.ACTIVE:
                raise HoldNotActive(f"This hold is {hold.status}.", hold_status=hold.status)
            minor = hold.amount_minor if amount is None else _amount(amount, voucher)
            if minor > hold.amount_minor:
                raise AmountExceedsHold(
                    "The capture is larger than the hold.",
                    held=format_amount(hold.amount_minor, voucher.currency),
                )
            hold.status = Hold.Status.CAPTURED
            hold.captured_minor = minor
            hold.closed_at = now
            hold.save(update_fields=["status", "captured_minor", "closed_at"])
            voucher.held_minor -= hold.amount_minor
            entry = _append(
                voucher,
                kind=Kind.CAPTURE,
                amount_minor=-minor,
                actor=actor,
                now=now,
                hold=hold,
                hotel_id=hold.hotel_id,
                location_id=hold.location_id,
                reference=hold.reference,
                idempotency_key=idempotency_key or "",
            )
            _emit(voucher, "hold.captured", entry=entry, hold=hold)
            _emit(voucher, "voucher.redeemed", entry=entry)
            return entry, {"ledger_entry": entry.pk}

        return _idempotent(
            actor=actor,
            idempotency_key=idempotency_key,
            request=request,
            load=_load_entry,
            work=work,
        )


def hold_release(*, hold_id: int, actor: str) -> Hold:
    """Free a hold. Releasing a released or expired hold changes nothing."""
    with transaction.atomic():
        voucher, hold = _lock_hold(hold_id)
        now = timezone.now()
        _sweep_expired_holds(voucher, now)
        hold.refresh_from_db()
        if hold.status in (Hold.Status.RELEASED, Hold.Status.EXPIRED):
            return hold
        if hold.status != Hold.Status.ACTIVE:
            raise HoldNotActive(f"This hold is {hold.status}.", hold_status=hold.status)
        _close_holds(voucher, [hold], status=Hold.Status.RELEASED, now=now)
        _audit(
            organisation_id=voucher.organisation_id, actor=actor, action="hold.released", obj=hold
        )
        _emit(voucher, "hold.released", hold=hold)
        return hold


def _close_holds(voucher: Voucher, holds: Iterable[Hold], *, status: str, now: datetime) -> None:
    total = 0
    for hold in holds:
        hold.status = status
        hold.closed_at = now
        hold.save(update_fields=["status", "closed_at"])
        total += hold.amount_minor
    voucher.held_minor -= total
    voucher.changed_at = now
    voucher.save(update_fields=["held_minor", "changed_at"])


def holds_expire_due(*, now: datetime | None = None) -> int:
    """Close every hold past its time, one voucher per transaction."""
    now = now or timezone.now()
    voucher_ids = sorted(
        set(
            Hold.objects.filter(status=Hold.Status.ACTIVE, expires_at__lte=now).values_list(
                "voucher_id", flat=True
            )
        )
    )
    expired = 0
    for voucher_id in voucher_ids:
        with transaction.atomic():
            voucher = _lock_voucher(voucher_id)
            before = voucher.held_minor
            _sweep_expired_holds(voucher, now)
            expired += int(before != voucher.held_minor)
    return expired


# --- corrections -----------------------------------------------------------


def ledger_entry_reverse(
    *, entry_id: int, actor: str, reason: str = "", idempotency_key: str | None = None
) -> LedgerEntry:
    """Undo a redemption or capture, once, with an opposite entry."""
    reason = _text(reason, field="note")
    voucher_id = (
        LedgerEntry.objects.filter(pk=entry_id).values_list("voucher_id", flat=True).first()
    )
    if voucher_id is None:
        raise NotFound("No such transaction.")
    request = {"op": "ledger_entry_reverse", "entry": entry_id, "reason": reason}
    with transaction.atomic():
        voucher = _lock_voucher(voucher_id)

        def work() -> tuple[LedgerEntry, dict[str, Any]]:
            now = timezone.now()
            original = LedgerEntry.objects.select_related("position").get(pk=entry_id)
            if original.kind not in (Kind.REDEEM, Kind.CAPTURE):
                raise NotReversible("Only redemptions and captures can be reversed.")
            if LedgerEntry.objects.filter(reverses=original).exists():
                raise AlreadyReversed("This transaction has been reversed already.")
            if voucher.cancelled_at is not None:
                raise VoucherCancelled("The voucher has been cancelled since.")
            if voucher.expired_at is not None:
                raise VoucherExpired("The voucher has expired since; reactivate it first.")
            _sweep_expired_holds(voucher, now)
            entry = _append(
                voucher,
                kind=Kind.REVERSAL,
                amount_minor=-original.amount_minor,
                actor=actor,
                now=now,
                position=original.position,
                hold=original.hold,
                hotel_id=original.hotel_id,
                location_id=original.location_id,
                reference=original.reference,
                note=reason,
                reverses=original,
                idempotency_key=idempotency_key or "",
            )
            _emit(voucher, "voucher.reversed", entry=entry)
            return entry, {"ledger_entry": entry.pk}

        return _idempotent(
            actor=actor,
            idempotency_key=idempotency_key,
            request=request,
            load=_load_entry,
            work=work,
        )


def voucher_adjust(
    *,
    voucher_id: int,
    actor: str,
    amount: Decimal | str | int,
    reason: str,
    position_id: int | None = None,
) -> LedgerEntry:
    """A correction by staff: a signed amount with a reason, never an edit."""
    reason = _text(reason, field="note")
    if not reason:
        raise ValidationError("An adjustment needs a reason.", field="reason")
    with transaction.atomic():
        voucher = _lock_voucher(voucher_id)
        now = timezone.now()
        _sweep_expired_holds(voucher, now)
        if voucher.cancelled_at is not None:
            raise VoucherCancelled("A cancelled voucher cannot be adjusted.")
        minor = to_minor(
            parse_amount(amount, currency=voucher.currency, allow_negative=True), voucher.currency
        )
        position = _find_position(voucher, position_id=position_id, subcode=None)
        if position is None and voucher.has_positions:
            raise ValidationError("Adjust one position of this voucher.", field="position_id")
        if (
            position is not None
            and not 0 <= position.remaining_minor + minor <= position.amount_minor
        ):
            raise ValidationError(
                "A position's remaining amount stays between zero and its amount.", field="amount"
            )
        entry = _append(
            voucher,
            kind=Kind.ADJUST,
            amount_minor=minor,
            actor=actor,
            now=now,
            position=position,
            note=reason,
        )
        return entry


def _zero_out(voucher: Voucher, *, kind: str, actor: str, now: datetime, note: str) -> None:
    """Write the whole remaining balance off, one entry per position."""
    active = list(Hold.objects.filter(voucher=voucher, status=Hold.Status.ACTIVE))
    if active:
        _close_holds(voucher, active, status=Hold.Status.RELEASED, now=now)
    positions = list(VoucherPosition.objects.filter(voucher=voucher, remaining_minor__gt=0))
    if positions:
        for position in positions:
            _append(
                voucher,
                kind=kind,
                amount_minor=-position.remaining_minor,
                actor=actor,
                now=now,
                position=position,
                note=note,
            )
    elif voucher.balance_minor > 0:
        _append(
            voucher, kind=kind, amount_minor=-voucher.balance_minor, actor=actor, now=now, note=note
        )


def voucher_cancel(*, voucher_id: int, actor: str, reason: str = "") -> Voucher:
    """Cancel: active holds are released and the balance is written off."""
    reason = _text(reason, field="note")
    with transaction.atomic():
        voucher = _lock_voucher(voucher_id)
        if voucher.cancelled_at is not None:
            raise VoucherCancelled("This voucher has been cancelled already.")
        now = timezone.now()
        _zero_out(voucher, kind=Kind.CANCEL, actor=actor, now=now, note=reason)
        voucher.cancelled_at = now
        voucher.changed_at = now
        voucher.save(update_fields=["cancelled_at", "changed_at"])
        _audit(
            organisation_id=voucher.organisation_id,
            actor=actor,
            action="voucher.cancelled",
            obj=voucher,
            reason=reason,
        )
        _emit(voucher, "voucher.cancelled")
        return voucher


def voucher_expire(
    *, voucher_id: int, actor: str, force: bool = False, now: datetime | None = None
) -> Voucher:
    """Expire a voucher past its validity: its balance leaves as breakage.

    `force` expires it before its date (staff decision). An expired voucher
    stays expired (a second call changes nothing)."""
    with transaction.atomic():
        voucher = _lock_voucher(voucher_id)
        now = now or timezone.now()
        if voucher.cancelled_at is not None:
            raise VoucherCancelled("This voucher has been cancelled.")
        if voucher.expired_at is not None:
            return voucher
        today = timezone.localdate(now)
        if not force and not domain.is_past_validity(valid_until=voucher.valid_until, today=today):
            raise ValidationError("This voucher is still valid.", field="valid_until")
        _zero_out(voucher, kind=Kind.EXPIRE, actor=actor, now=now, note="expired")
        voucher.expired_at = now
        voucher.changed_at = now
        voucher.save(update_fields=["expired_at", "changed_at"])
        _audit(
            organisation_id=voucher.organisation_id,
            actor=actor,
            action="voucher.expired",
            obj=voucher,
        )
        _emit(voucher, "voucher.expired")
        return voucher


def vouchers_expire_due(*, actor: str = "system", now: datetime | None = None) -> int:
    now = now or timezone.now()
    ids = Voucher.objects.filter(
        valid_until__lt=timezone.localdate(now), expired_at__isnull=True, cancelled_at__isnull=True
    ).values_list("pk", flat=True)
    count = 0
    for voucher_id in sorted(ids):
        voucher_expire(voucher_id=voucher_id, actor=actor, now=now)
        count += 1
    return count


def voucher_reactivate(
    *, voucher_id: int, actor: str, valid_until: date | None, reason: str
) -> Voucher:
    """Bring an expired voucher back (goodwill, a court's view): the amounts
    written off at expiry come back as new entries, and a new validity."""
    reason = _text(reason, field="note")
    if not reason:
        raise ValidationError("A reactivation needs a reason.", field="reason")
    with transaction.atomic():
        voucher = _lock_voucher(voucher_id)
        now = timezone.now()
        if voucher.cancelled_at is not None:
            raise VoucherCancelled("A cancelled voucher cannot be reactivated.")
        if valid_until is not None and valid_until < timezone.localdate(now):
            raise ValidationError("The new validity lies in the past.", field="valid_until")
        is_expired = voucher.expired_at is not None or domain.is_past_validity(
            valid_until=voucher.valid_until, today=timezone.localdate(now)
        )
        if not is_expired:
            raise ValidationError("This voucher has not expired.", field="voucher")
        if voucher.expired_at is not None:
            written_off = LedgerEntry.objects.filter(
                voucher=voucher, kind=Kind.EXPIRE, reversed_by__isnull=True
            ).select_related("position")
            for entry in written_off:
                _append(
                    voucher,
                    kind=Kind.REACTIVATE,
                    amount_minor=-entry.amount_minor,
                    actor=actor,
                    now=now,
                    position=entry.position,
                    note=reason,
                    reverses=entry,
                )
        voucher.expired_at = None
        voucher.valid_until = valid_until
        voucher.changed_at = now
        voucher.save(update_fields=["expired_at", "valid_until", "changed_at"])
        _audit(
            organisation_id=voucher.organisation_id,
            actor=actor,
            action="voucher.reactivated",
            obj=voucher,
            reason=reason,
            valid_until=str(valid_until),
        )
        return voucher
