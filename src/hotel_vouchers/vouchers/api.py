"""Vouchers, holds, transactions, issue, sync feed and batch redemption (API.md).

Operations parse, check the client's scope and bindings, call one service
and render its result. Every POST goes through `_respond`, which applies the
Idempotency-Key; code lookups go through `_lookup`, which applies the
unknown-code rate limit.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field as NinjaField
from ninja import Query, Router, Schema

from hotel_vouchers.api_clients.auth import client_of
from hotel_vouchers.api_clients.models import ApiClient
from hotel_vouchers.catalog.models import VoucherProduct
from hotel_vouchers.core.codes import ParsedCode, parse_code
from hotel_vouchers.core.errors import (
    DomainError,
    Forbidden,
    HoldNotFound,
    InvalidCode,
    NotFound,
    NotRedeemableHere,
    PositionNotFound,
    RateLimited,
    ValidationError,
    VoucherNotFound,
)
from hotel_vouchers.core.idempotency import idempotent_response, validate_idempotency_key
from hotel_vouchers.core.prepared import fetch_one
from hotel_vouchers.core.ratelimit import Limit, ratelimit_hit, ratelimit_retry_after
from hotel_vouchers.documents.selectors import voucher_pdf_url
from hotel_vouchers.properties.models import Hotel, Location
from hotel_vouchers.properties.selectors import hotel_get, location_get
from hotel_vouchers.vouchers import services
from hotel_vouchers.vouchers.models import Hold, LedgerEntry, Voucher, VoucherPosition
from hotel_vouchers.vouchers.schemas import (
    BatchIn,
    BatchItemIn,
    BatchOut,
    CaptureIn,
    CaptureOut,
    HoldIn,
    HoldOut,
    HoldWithVoucher,
    IssueIn,
    PersonIn,
    Problem,
    RedemptionIn,
    ReversalIn,
    TransactionWithVoucher,
    VoucherOut,
    VoucherPage,
    hold_out,
    transaction_out,
    voucher_out,
)

router = Router(tags=["vouchers"])

READ, REDEEM, ISSUE, SYNC = "vouchers:read", "vouchers:redeem", "vouchers:issue", "sync"
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}
LOOKUP_ERRORS = {**ERRORS, 429: Problem}
MAX_PAGE = 500
FUTURE_SKEW = timedelta(minutes=5)


# --- responses and idempotency ----------------------------------------------


def _json(status: int, body: Any, *, replayed: bool = False) -> HttpResponse:
    """A JSON answer; `body` may be JSON text already (an idempotent answer)."""
    content_type = "application/problem+json" if status >= 400 else "application/json"
    text = body if isinstance(body, str) else json.dumps(body)
    response = HttpResponse(text, status=status, content_type=content_type)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _respond(request: HttpRequest, client: ApiClient, run: Callable[[], tuple[int, Any]]):
    """Run a POST once per Idempotency-Key (API.md "Conventions")."""
    key = request.headers.get("Idempotency-Key")
    if key is not None:
        validate_idempotency_key(key)
    digest = hashlib.sha256(
        b"\0".join([request.method.encode(), request.path.encode(), request.body])
    ).hexdigest()
    status, body, replayed = idempotent_response(
        scope=f"http:{client.actor}", key=key, request_fingerprint=digest, run=run
    )
    return _json(status, body, replayed=replayed)


# --- lookups -----------------------------------------------------------------


def _limits(request: HttpRequest, client: ApiClient) -> list[Limit]:
    # REMOTE_ADDR only: a client-supplied X-Forwarded-For would let anyone pick their address.
    address = request.META.get("REMOTE_ADDR") or "unknown"
    return [
        Limit(f"miss:client:{client.pk}", settings.API_MISS_LIMIT_PER_CLIENT),
        Limit(f"miss:ip:{address}", settings.API_MISS_LIMIT_PER_ADDRESS),
    ]


def _limits_checked(request: HttpRequest, client: ApiClient) -> list[Limit]:
    """The client's and address's limits, refused (429) if either is used up."""
    limits = _limits(request, client)
    _check_rate(limits)
    return limits


def _check_rate(limits: list[Limit]) -> None:
    retry_after = ratelimit_retry_after(
        limits=limits, window_seconds=settings.API_MISS_WINDOW_SECONDS
    )
    if retry_after is not None:
        raise RateLimited(
            f"Too many unknown codes; try again in {retry_after} s.", retry_after=retry_after
        )


def _lookup(client: ApiClient, limits: list[Limit], raw_code: str) -> tuple[Voucher, ParsedCode]:
    """The organisation's voucher for a code; misses count against the rate limit.

    A wrong check character counts as a miss, but costs no database lookup."""
    try:
        parsed = parse_code(raw_code)
    except InvalidCode as error:
        if error.extra.get("reason") == "check_character":
            ratelimit_hit(
                keys=[limit.key for limit in limits],
                window_seconds=settings.API_MISS_WINDOW_SECONDS,
            )
        raise
    voucher = fetch_one(
        Voucher, where={"organisation_id": client.organisation_id, "code": parsed.code}
    )
    if voucher is None:
        ratelimit_hit(
            keys=[limit.key for limit in limits], window_seconds=settings.API_MISS_WINDOW_SECONDS
        )
        raise VoucherNotFound("No voucher with this code.")
    voucher.hotel = fetch_one(Hotel, where={"id": voucher.hotel_id})
    return voucher, parsed


def _place(client: ApiClient, location: str | None) -> tuple[Hotel | None, Location | None]:
    """Where the client acts: its bound location (and nowhere else), a named location, or
    its hotel. None, None: the voucher's own hotel."""
    if client.location_id is not None:
        own = client.location
        if location and location.strip().lower() not in {
            own.slug,
            f"{own.hotel.slug}/{own.slug}",
        }:
            raise NotRedeemableHere(f"This API client redeems at {own.slug} only.")
        return own.hotel, own
    if location:
        hotel = client.hotel
        slug = location.strip().lower()
        if "/" in slug:
            hotel_slug, slug = slug.split("/", 1)
            named = hotel_get(organisation=client.organisation, slug=hotel_slug)
            if hotel is not None and named.pk != hotel.pk:
                raise NotRedeemableHere("This API client acts for its own hotel only.")
            hotel = named
        found = location_get(organisation=client.organisation, slug=slug, hotel=hotel)
        return found.hotel, found
    return client.hotel, None


# --- rendering ---------------------------------------------------------------


def _held_now(voucher: Voucher, now: datetime) -> int:
    """Reserved by holds still running: past `expires_at` a hold reserves nothing,
    swept or not."""
    if voucher.held_minor == 0:
        return 0
    total = Hold.objects.filter(
        voucher_id=voucher.pk, status=Hold.Status.ACTIVE, expires_at__gt=now
    ).aggregate(total=Sum("amount_minor"))["total"]
    return total or 0


def _positions(voucher: Voucher) -> list[VoucherPosition]:
    if not voucher.has_positions:
        return []
    return list(VoucherPosition.objects.filter(voucher_id=voucher.pk).prefetch_related("locations"))


def _voucher(voucher: Voucher, *, hotel: Hotel, subcode: str | None = None) -> dict[str, Any]:
    voucher.hotel = hotel
    positions = _positions(voucher)
    position = None
    if subcode:
        position = next((p for p in positions if p.subcode == subcode), None)
        if position is None:
            raise PositionNotFound(f"This voucher has no position {subcode}.")
    return voucher_out(
        voucher,
        held_minor=_held_now(voucher, timezone.now()),
        positions=positions,
        position=position,
        pdf_url=voucher_pdf_url(voucher=voucher),
    )


def _location_slug(location_id: int | None, known: Location | None = None) -> str | None:
    if location_id is None:
        return None
    if known is not None and known.pk == location_id:
        return known.slug
    return Location.objects.filter(pk=location_id).values_list("slug", flat=True).first()


def _transaction(entry: LedgerEntry, known: Location | None = None) -> dict[str, Any]:
    return transaction_out(
        entry,
        currency=entry.voucher.currency,
        location_slug=_location_slug(entry.location_id, known),
    )


# --- vouchers ----------------------------------------------------------------


@router.get(
    "/vouchers/{code}",
    response={200: VoucherOut, **LOOKUP_ERRORS},
    summary="Balance inquiry",
    description="A voucher by its code, read leniently (case, spaces, dashes); `a.CODE` adds "
    "`position`. Unknown codes are rate limited per client and address.",
)
def voucher_get(request: HttpRequest, code: str):
    client = client_of(request, READ)
    voucher, parsed = _lookup(client, _limits_checked(request, client), code)
    return _json(200, _voucher(voucher, hotel=voucher.hotel, subcode=parsed.subcode))


@router.post(
    "/vouchers/{code}/redemptions",
    response={201: TransactionWithVoucher, **LOOKUP_ERRORS},
    summary="Redeem an amount or a position",
    description="`amount` defaults to the position's remaining amount when a position "
    "(`position_id`, or a sub-code `a.CODE`) is named, else it is required.",
)
def voucher_redemption_create(request: HttpRequest, code: str, body: RedemptionIn):
    client = client_of(request, REDEEM)
    voucher, parsed = _lookup(client, _limits_checked(request, client), code)

    def run() -> tuple[int, Any]:
        hotel, location = _place(client, body.location)
        entry = services.voucher_redeem(
            voucher_id=voucher.pk,
            actor=client.actor,
            amount=body.amount,
            position_id=body.position_id,
            subcode=parsed.subcode,
            hotel=hotel,
            location=location,
            reference=body.reference,
            note=body.note,
        )
        return 201, {
            "transaction": _transaction(entry, location),
            "voucher": _voucher(entry.voucher, hotel=voucher.hotel),
        }

    return _respond(request, client, run)


@router.post(
    "/vouchers/{code}/holds",
    response={201: HoldWithVoucher, **LOOKUP_ERRORS},
    summary="Hold (pre-authorise) an amount",
    description="Reserves `amount` for `reference` until captured, released or expired "
    "(`expires_in` seconds, default 900, at most 604800).",
)
def voucher_hold_create(request: HttpRequest, code: str, body: HoldIn):
    client = client_of(request, REDEEM)
    voucher, parsed = _lookup(client, _limits_checked(request, client), code)

    def run() -> tuple[int, Any]:
        if parsed.subcode:
            raise ValidationError("Holds are placed on a whole voucher, not a position.")
        hotel, location = _place(client, body.location)
        hold = services.hold_create(
            voucher_id=voucher.pk,
            actor=client.actor,
            amount=body.amount,
            reference=body.reference,
            expires_in=body.expires_in,
            hotel=hotel,
            location=location,
        )
        return 201, {
            "hold": _hold(hold, voucher),
            "voucher": _voucher(hold.voucher, hotel=voucher.hotel),
        }

    return _respond(request, client, run)


def _issue_hotel(client: ApiClient, body: IssueIn, product: VoucherProduct | None) -> Hotel:
    if body.hotel:
        hotel = hotel_get(organisation=client.organisation, slug=body.hotel.strip().lower())
    elif client.hotel_id is not None:
        hotel = client.hotel
    elif product is not None:
        hotel = product.hotel
    else:
        hotels = list(Hotel.objects.filter(organisation_id=client.organisation_id)[:2])
        if len(hotels) != 1:
            raise ValidationError(
                "This organisation has several hotels: name the issuing hotel.", field="hotel"
            )
        hotel = hotels[0]
    if client.hotel_id is not None and hotel.pk != client.hotel_id:
        raise Forbidden("This API client issues vouchers for its own hotel only.")
    return hotel


def _email(value: str, field: str) -> str:
    value = value.strip()
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValidationError(f"{field} is not an e-mail address.", field=field) from None
    return value


@router.post(
    "/vouchers",
    response={201: VoucherOut, **ERRORS},
    summary="Issue a voucher",
    description="From a product (`product_id`, with `value` where the buyer chooses it and "
    "`choices` for stay products), or a plain value voucher (`value` and `currency`).",
)
def voucher_create(request: HttpRequest, body: IssueIn):
    client = client_of(request, ISSUE)

    def run() -> tuple[int, Any]:
        product = None
        if body.product_id is not None:
            product = (
                VoucherProduct.objects.select_related("hotel")
                .filter(organisation_id=client.organisation_id, pk=body.product_id)
                .first()
            )
            if product is None:
                raise ValidationError("Unknown product.", field="product_id")
        elif body.value is None:
            raise ValidationError("Give product_id, or value and currency.", field="value")
        hotel = _issue_hotel(client, body, product)
        buyer, recipient = body.buyer or PersonIn(), body.recipient or PersonIn()
        voucher = services.voucher_issue(
            organisation=client.organisation,
            hotel=hotel,
            actor=client.actor,
            product=product,
            value=body.value,
            choices=body.choices,
            currency=body.currency,
            code=body.code,
            paid=body.paid,
            valid_until=body.valid_until,
            buyer_name=buyer.name,
            buyer_email=_email(buyer.email, "buyer.email"),
            recipient_name=recipient.name,
            recipient_email=_email(recipient.email, "recipient.email"),
            reference=body.reference,
        )
        return 201, _voucher(voucher, hotel=hotel)

    return _respond(request, client, run)


class SyncQuery(Schema):
    changed_since: datetime | None = NinjaField(
        None, description="Only vouchers changed at or after this time (ISO 8601)."
    )
    cursor: str | None = NinjaField(None, max_length=200, description="From `next_cursor`.")
    limit: int = NinjaField(100, ge=1, le=MAX_PAGE)


def _utc(moment: datetime) -> datetime:
    """In UTC (naive means UTC); beyond the calendar's ends, its first or last moment.

    Databases refuse some offsets an ISO 8601 time may carry (PostgreSQL: past 15:59)."""
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        edge = datetime.min if moment.year < 2 else datetime.max
        return edge.replace(tzinfo=UTC)


def _encode_cursor(moment: datetime, pk: int) -> str:
    raw = json.dumps([moment.astimezone(UTC).isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, pk = json.loads(raw)
        parsed = datetime.fromisoformat(moment)
        if not isinstance(pk, int) or parsed.tzinfo is None:
            raise ValueError
        return _utc(parsed), pk
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationError("This cursor is not one the API gave out.", field="cursor") from None


@router.get(
    "/vouchers",
    response={200: VoucherPage, **ERRORS},
    summary="Sync feed: vouchers changed since a time",
    description="Oldest change first; follow `next_cursor` until it is null. A client bound "
    "to a hotel sees the vouchers that hotel can redeem.",
)
def voucher_list(request: HttpRequest, query: Query[SyncQuery]):
    client = client_of(request, SYNC)
    vouchers = Voucher.objects.filter(organisation_id=client.organisation_id).select_related(
        "hotel"
    )
    if client.hotel_id is not None:
        vouchers = vouchers.filter(Q(hotel_id=client.hotel_id) | Q(cross_hotel=True))
    if query.changed_since is not None:
        vouchers = vouchers.filter(changed_at__gte=_utc(query.changed_since))
    if query.cursor:
        moment, pk = _decode_cursor(query.cursor)
        vouchers = vouchers.filter(Q(changed_at__gt=moment) | Q(changed_at=moment, pk__gt=pk))
    page = list(vouchers.order_by("changed_at", "pk")[: query.limit + 1])
    more = len(page) > query.limit
    page = page[: query.limit]
    now = timezone.now()
    held = dict(
        Hold.objects.filter(
            voucher_id__in=[v.pk for v in page if v.held_minor],
            status=Hold.Status.ACTIVE,
            expires_at__gt=now,
        )
        .values("voucher_id")
        .annotate(total=Sum("amount_minor"))
        .values_list("voucher_id", "total")
    )
    positions: dict[int, list[VoucherPosition]] = {}
    for position in VoucherPosition.objects.filter(
        voucher_id__in=[v.pk for v in page if v.has_positions]
    ).prefetch_related("locations"):
        positions.setdefault(position.voucher_id, []).append(position)
    results = [
        voucher_out(
            v,
            held_minor=held.get(v.pk, 0),
            positions=positions.get(v.pk, []),
            pdf_url=voucher_pdf_url(voucher=v),
        )
        for v in page
    ]
    last = page[-1] if page else None
    next_cursor = _encode_cursor(last.changed_at, last.pk) if more and last else None
    return _json(200, {"results": results, "next_cursor": next_cursor})


# --- holds -------------------------------------------------------------------


def _hold_of(client: ApiClient, hold_id: int) -> Hold:
    hold = (
        Hold.objects.select_related("voucher", "voucher__hotel")
        .filter(pk=hold_id, voucher__organisation_id=client.organisation_id)
        .first()
    )
    if hold is None:
        raise HoldNotFound("No hold with this id.")
    return hold


def _hold_to_change(client: ApiClient, hold_id: int) -> Hold:
    """A hold the client may capture or release: its organisation's, and for a client
    bound to a hotel, one that hotel placed."""
    hold = _hold_of(client, hold_id)
    if client.hotel_id is not None and hold.hotel_id not in (None, client.hotel_id):
        raise NotRedeemableHere("This hold was placed by another hotel.")
    return hold


def _hold(hold: Hold, voucher: Voucher) -> dict[str, Any]:
    return hold_out(hold, code=voucher.display_code, currency=voucher.currency, now=timezone.now())


@router.get("/holds/{hold_id}", response={200: HoldOut, **ERRORS}, summary="One hold")
def hold_get(request: HttpRequest, hold_id: int):
    client = client_of(request, READ)
    hold = _hold_of(client, hold_id)
    return _json(200, _hold(hold, hold.voucher))


@router.post(
    "/holds/{hold_id}/capture",
    response={200: CaptureOut, **ERRORS},
    summary="Capture a hold, in part or whole",
    description="`amount` at most the held amount (default all); the rest is released.",
)
def hold_capture(request: HttpRequest, hold_id: int, body: CaptureIn | None = None):
    client = client_of(request, REDEEM)

    def run() -> tuple[int, Any]:
        hold = _hold_to_change(client, hold_id)
        entry = services.hold_capture(
            hold_id=hold.pk, actor=client.actor, amount=body.amount if body else None
        )
        captured = entry.hold
        voucher = entry.voucher
        return 200, {
            "transaction": _transaction(entry),
            "hold": _hold(captured, voucher),
            "voucher": _voucher(voucher, hotel=hold.voucher.hotel),
        }

    return _respond(request, client, run)


@router.post(
    "/holds/{hold_id}/release",
    response={200: HoldWithVoucher, **ERRORS},
    summary="Release a hold",
)
def hold_release(request: HttpRequest, hold_id: int):
    client = client_of(request, REDEEM)

    def run() -> tuple[int, Any]:
        hold = _hold_to_change(client, hold_id)
        released = services.hold_release(hold_id=hold.pk, actor=client.actor)
        voucher = Voucher.objects.get(pk=hold.voucher_id)
        return 200, {
            "hold": _hold(released, voucher),
            "voucher": _voucher(voucher, hotel=hold.voucher.hotel),
        }

    return _respond(request, client, run)


# --- transactions ------------------------------------------------------------


@router.post(
    "/transactions/{transaction_id}/reversal",
    response={201: TransactionWithVoucher, **ERRORS},
    summary="Reverse a redemption or capture (once)",
)
def transaction_reversal_create(
    request: HttpRequest, transaction_id: int, body: ReversalIn | None = None
):
    client = client_of(request, REDEEM)

    def run() -> tuple[int, Any]:
        original = (
            LedgerEntry.objects.select_related("voucher__hotel")
            .filter(pk=transaction_id, voucher__organisation_id=client.organisation_id)
            .first()
        )
        if original is None:
            raise NotFound("No such transaction.")
        if client.hotel_id is not None and original.hotel_id not in (None, client.hotel_id):
            raise NotRedeemableHere("This transaction was made at another hotel.")
        entry = services.ledger_entry_reverse(
            entry_id=original.pk, actor=client.actor, reason=body.reason if body else ""
        )
        return 201, {
            "transaction": _transaction(entry),
            "voucher": _voucher(entry.voucher, hotel=original.voucher.hotel),
        }

    return _respond(request, client, run)


# --- batch -------------------------------------------------------------------


def _batch_item(
    request: HttpRequest, client: ApiClient, limits: list[Limit], item: BatchItemIn
) -> tuple[int, Any]:
    """One item as if it came alone: its own transaction and Idempotency-Key."""
    occurred_at = _utc(item.occurred_at)

    def run() -> tuple[int, Any]:
        if occurred_at > timezone.now() + FUTURE_SKEW:
            raise ValidationError("occurred_at lies in the future.", field="occurred_at")
        hotel, location = _place(client, item.location)
        entry = services.voucher_redeem(
            voucher_id=voucher.pk,
            actor=client.actor,
            amount=item.amount,
            position_id=item.position_id,
            subcode=parsed.subcode,
            hotel=hotel,
            location=location,
            reference=item.reference,
            occurred_at=occurred_at,
        )
        return 201, _transaction(entry, location)

    try:
        validate_idempotency_key(item.idempotency_key)
        _check_rate(limits)
        # Looked up outside the item's transaction, so that a miss stays counted.
        voucher, parsed = _lookup(client, limits, item.code)
    except DomainError as error:
        return error.status, error.as_problem()
    fingerprint = hashlib.sha256(item.model_dump_json().encode()).hexdigest()
    try:
        status, text, _ = idempotent_response(
            scope=f"http:{client.actor}:item",
            key=item.idempotency_key,
            request_fingerprint=fingerprint,
            run=run,
        )
    except DomainError as error:  # the key reused with another item: this item's answer only
        return error.status, error.as_problem()
    return status, json.loads(text)


@router.post(
    "/redemptions/batch",
    response={200: BatchOut, **ERRORS},
    summary="Redeem up to 1,000 items, each on its own",
    description="For registers that redeemed offline. Each item has its own idempotency key "
    "and succeeds or fails alone; `status` is the HTTP status it would have had alone.",
)
def redemption_batch(request: HttpRequest, body: BatchIn):
    client = client_of(request, REDEEM)
    limits = _limits(request, client)

    def run() -> tuple[int, Any]:
        results = []
        for index, item in enumerate(body.items):
            status, outcome = _batch_item(request, client, limits, item)
            result: dict[str, Any] = {"index": index, "status": status}
            result["transaction" if status < 400 else "error"] = outcome
            results.append(result)
        return 200, {"results": results}

    return _respond(request, client, run)
