"""Reads about voucher products: the price for the buyer's choices, published products."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from hotel_vouchers.catalog import domain
from hotel_vouchers.catalog.models import (
    ProductPublication,
    PublicationPeriod,
    VariantRole,
    VoucherProduct,
)
from hotel_vouchers.properties.models import Channel


def product_spec(*, product: VoucherProduct) -> domain.ProductSpec:
    """What the price rule needs to know about a product, read in four queries."""
    rooms = tuple(
        domain.RoomPrice(
            room_category=p.room_category.slug, price_minor=p.price_minor, is_default=p.is_default
        )
        for p in product.room_prices.select_related("room_category").order_by("pk")
    )
    services = tuple(
        domain.ServiceOffer(slug=s.slug, price_minor=s.price_minor)
        for s in product.services.order_by("pk")
    )
    positions = tuple(
        domain.PositionRule(
            id=p.pk,
            label=p.label,
            subcode=p.subcode,
            kind=p.price_kind,
            amount_minor=p.amount_minor,
            share_percent=p.share_percent,
            partial_allowed=p.partial_allowed,
            location_ids=tuple(loc.pk for loc in p.locations.all()),
            sort_order=p.sort_order,
        )
        for p in product.positions.prefetch_related("locations")
    )
    return domain.ProductSpec(
        type=product.type,
        currency=product.organisation.currency,
        value_fixed_minor=product.value_fixed_minor,
        value_editable=product.value_editable,
        value_min_minor=product.value_min_minor,
        value_max_minor=product.value_max_minor,
        nights=product.nights,
        persons=product.persons,
        rooms=rooms,
        services=services,
        positions=positions,
        package_travel_exempt=product.package_travel_exempt,
    )


def product_price(*, product: VoucherProduct, choices: dict[str, Any] | None) -> domain.Price:
    """The price and positions of `product` for the buyer's choices, the one rule that the
    shop, the desk and the API use.

    Choices by type: value `{"value": "75.00"}` (absent: the fixed value); stay
    `{"room_category": slug, "nights": n, "persons": n, "services": {slug: quantity}}`
    (room absent: the default category; nights and persons only where the product does
    not fix them); services `{"services": {slug: quantity}}` (or a list of slugs);
    `persons` where a position is priced per person. A choice out of bounds raises a
    ValidationError whose field is `value` or `choices.<name>`."""
    return domain.product_price_compute(spec=product_spec(product=product), choices=choices)


def product_price_minor(*, product: VoucherProduct, choices: dict[str, Any]) -> int:
    """The price alone, in minor units."""
    return product_price(product=product, choices=choices).total_minor


def product_list_published(
    *, channel: Channel, on: date, category_slug: str | None = None
) -> QuerySet[VoucherProduct]:
    """Active products published on `channel` on day `on` (within one of their periods,
    or always when they have none), of its hotel or cross-hotel ones of its organisation.

    Ordered as the shop shows them: by the reference's sort order, a reference followed
    by its variants in their own sort order."""
    publications = ProductPublication.objects.filter(product=OuterRef("pk"), channel=channel)
    if category_slug is not None:
        publications = publications.filter(categories__slug=category_slug)
    periods = PublicationPeriod.objects.filter(product=OuterRef("pk"))
    current = periods.filter(starts_on__lte=on, ends_on__gte=on)
    return (
        VoucherProduct.objects.filter(
            Q(hotel_id=channel.hotel_id) | Q(cross_hotel=True),
            organisation_id=channel.hotel.organisation_id,
            active=True,
        )
        .filter(Exists(publications))
        .filter(~Exists(periods) | Exists(current))
        .select_related("variant_of")
        .annotate(
            group_order=Coalesce(F("variant_of__sort_order"), F("sort_order")),
            group_id=Coalesce(F("variant_of_id"), F("id")),
            in_group=Case(
                When(variant_role=VariantRole.VARIANT, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
        .order_by("group_order", "group_id", "in_group", "sort_order", "pk")
    )


def product_variants(*, product: VoucherProduct) -> list[VoucherProduct]:
    """The group of a reference product or a variant: the reference first, then its
    variants by sort order. A standalone product is a group of one."""
    reference = product.text_source
    if reference.variant_role != VariantRole.REFERENCE:
        return [product]
    return [reference, *reference.variants.filter(active=True).order_by("sort_order", "pk")]
