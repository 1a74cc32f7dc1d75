"""The organisation's voucher products, for registers and booking engines."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from hotel_vouchers.api_clients.auth import client_of
from hotel_vouchers.catalog.models import VoucherProduct
from hotel_vouchers.core.money import format_amount
from hotel_vouchers.vouchers.schemas import HotelRef, Problem

router = Router(tags=["products"])


class ProductPositionOut(Schema):
    label: str
    subcode: str
    price_kind: str = Field(description="fixed, per_person or share.")
    amount: str | None = Field(description="Fixed or per-person amount; none for a share.")
    share_percent: str | None = Field(description="Share of the price, for share positions.")
    locations: list[str]


class ProductOut(Schema):
    id: int
    name: str = Field(description="German name, with the variant name for variants.")
    type: str = Field(description="value, stay or services.")
    pms_reference: str
    hotel: HotelRef
    cross_hotel: bool
    currency: str
    value: str | None = Field(description="Fixed value, if the product has one.")
    value_min: str | None
    value_max: str | None
    positions: list[ProductPositionOut]


class ProductPage(Schema):
    results: list[ProductOut]
    next_cursor: str | None


class ProductQuery(Schema):
    cursor: str | None = Field(None, pattern=r"^[0-9]{1,18}$", description="From next_cursor.")
    limit: int = Field(100, ge=1, le=500)


def _money(minor: int | None, currency: str) -> str | None:
    return None if minor is None else format_amount(minor, currency)


@router.get(
    "/products",
    response={200: ProductPage, 401: Problem, 403: Problem, 422: Problem},
    summary="The organisation's voucher products",
    description="Active products; a client bound to a hotel sees that hotel's products and "
    "the cross-hotel ones.",
)
def product_list(request: HttpRequest, query: Query[ProductQuery]):
    client = client_of(request, "vouchers:read")
    currency = client.organisation.currency
    products = (
        VoucherProduct.objects.filter(organisation_id=client.organisation_id, active=True)
        .select_related("hotel", "variant_of")
        .prefetch_related("positions__locations")
        .order_by("pk")
    )
    if client.hotel_id is not None:
        products = products.filter(Q(hotel_id=client.hotel_id) | Q(cross_hotel=True))
    if query.cursor:
        products = products.filter(pk__gt=int(query.cursor))
    page = list(products[: query.limit + 1])
    more = len(page) > query.limit
    page = page[: query.limit]
    results = [
        {
            "id": p.pk,
            "name": p.display_name(),
            "type": p.type,
            "pms_reference": p.pms_reference,
            "hotel": {"id": p.hotel_id, "slug": p.hotel.slug},
            "cross_hotel": p.cross_hotel,
            "currency": currency,
            "value": _money(p.value_fixed_minor, currency),
            "value_min": _money(p.value_min_minor, currency),
            "value_max": _money(p.value_max_minor, currency),
            "positions": [
                {
                    "label": pos.label,
                    "subcode": pos.subcode,
                    "price_kind": pos.price_kind,
                    "amount": _money(pos.amount_minor, currency),
                    "share_percent": None
                    if pos.share_percent is None
                    else format(pos.share_percent, "f"),
                    "locations": [loc.slug for loc in pos.locations.all()],
                }
                for pos in p.positions.all()
            ],
        }
        for p in page
    ]
    return {"results": results, "next_cursor": str(page[-1].pk) if more else None}
