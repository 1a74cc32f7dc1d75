"""Writes and the configuration rules of voucher products (seed 001, seed 004).

The `*_errors` functions return every broken rule as a ValidationError whose `field`
names the model field, so that the admin shows each next to its field; `product_save`
raises the first one. They take unsaved objects so a form can check before it saves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction

from hotel_vouchers.catalog.models import (
    INHERITED_TEXTS,
    LANGUAGES,
    PositionPriceKind,
    ProductPosition,
    StayRoomPrice,
    VariantRole,
    VatTreatment,
    VoucherProduct,
    VoucherType,
)
from hotel_vouchers.core.errors import ValidationError
from hotel_vouchers.core.models import AuditEvent
from hotel_vouchers.properties.models import AddOnService, Channel, ChannelCategory, Location

MAX_VALIDITY_YEARS = 30
SUBCODE_LETTERS = set("abcdefghijklmnopqrstuvwxyz")


def _error(field: str, message: str) -> ValidationError:
    return ValidationError(message, field=field)


def product_errors(
    *, product: VoucherProduct, services: Iterable[AddOnService] | None = None
) -> list[ValidationError]:
    """The rules of the product's own fields. `services`: the chosen add-on services
    (the saved ones when None)."""
    errors: list[ValidationError] = []
    is_new = product.pk is None
    if not is_new:
        stored = VoucherProduct.objects.filter(pk=product.pk).values_list("type", flat=True)
        if stored and stored[0] != product.type:
            errors.append(
                _error("type", "The voucher type is fixed once created; create a new product.")
            )
    if product.hotel_id and product.organisation_id:
        if product.hotel.organisation_id != product.organisation_id:
            errors.append(_error("hotel", "This hotel belongs to another organisation."))
    if product.layout_id and product.layout.organisation_id != product.organisation_id:
        errors.append(_error("layout", "This layout belongs to another organisation."))
    errors += _variant_errors(product)
    if product.variant_role != VariantRole.VARIANT:
        if not product.name.strip():
            errors.append(_error("name", "The German name is required."))
        if not product.short_description.strip():
            errors.append(_error("short_description", "The German short description is required."))
    if not product.description.strip():
        errors.append(_error("description", "The German detailed description is required."))
    if not product.short_name.strip():
        errors.append(_error("short_name", "The internal short name is required."))
    errors += _pricing_errors(product, services)
    if product.package_travel_exempt and product.type != VoucherType.STAY:
        errors.append(
            _error("package_travel_exempt", "The package-travel setting is for stay vouchers.")
        )
    if product.validity_years is not None and not 1 <= product.validity_years <= (
        MAX_VALIDITY_YEARS
    ):
        errors.append(
            _error(
                "validity_years",
                f"Validity is 1 to {MAX_VALIDITY_YEARS} years, or empty for no expiry.",
            )
        )
    errors += _vat_errors(product)
    return errors


def _variant_errors(product: VoucherProduct) -> list[ValidationError]:
    errors = []
    role = product.variant_role
    if role == VariantRole.VARIANT:
        reference = product.variant_of
        if reference is None:
            errors.append(_error("variant_of", "Choose the reference product of this variant."))
        elif reference.pk == product.pk:
            errors.append(_error("variant_of", "A product cannot be a variant of itself."))
        elif reference.variant_role != VariantRole.REFERENCE:
            errors.append(_error("variant_of", "This product is not a reference product."))
        elif reference.organisation_id != product.organisation_id:
            errors.append(_error("variant_of", "The reference belongs to another organisation."))
        elif reference.type != product.type:
            errors.append(_error("variant_of", "A variant has the type of its reference product."))
    elif product.variant_of_id is not None:
        errors.append(_error("variant_of", "Only a further variant names a reference product."))
    if role != VariantRole.STANDALONE and not product.variant_name.strip():
        errors.append(_error("variant_name", "The German variant name is required."))
    if role == VariantRole.STANDALONE and any(
        getattr(product, f"variant_name{_suffix(lang)}") for lang in LANGUAGES
    ):
        errors.append(_error("variant_name", "A product without variants has no variant name."))
    if (
        product.pk is not None
        and role != VariantRole.REFERENCE
        and VoucherProduct.objects.filter(variant_of_id=product.pk).exists()
    ):
        errors.append(
            _error("variant_role", "This product has variants; it stays a reference product.")
        )
    return errors


def _pricing_errors(
    product: VoucherProduct, services: Iterable[AddOnService] | None
) -> list[ValidationError]:
    errors = []
    kind = product.type
    chosen = list(services) if services is not None else _saved_services(product)
    for name in ("value_fixed_minor", "value_min_minor", "value_max_minor"):
        minor = getattr(product, name)
        if minor is not None and minor <= 0:
            errors.append(_error(name, "Amounts are positive."))
    low, high = product.value_min_minor, product.value_max_minor
    if low is not None and high is not None and low > high:
        errors.append(_error("value_max_minor", "The maximum is below the minimum."))
    if kind != VoucherType.VALUE:
        if product.value_fixed_minor is not None:
            errors.append(_error("value_fixed_minor", "Only value vouchers have a fixed value."))
        if product.value_editable:
            errors.append(_error("value_editable", "Only value vouchers have a value to change."))
    if kind == VoucherType.VALUE:
        fixed = product.value_fixed_minor
        if fixed is not None and product.value_editable:
            if (low is not None and fixed < low) or (high is not None and fixed > high):
                errors.append(
                    _error("value_fixed_minor", "The suggested value lies outside min and max.")
                )
        if chosen:
            errors.append(_error("services", "Value vouchers have no add-on services."))
    if kind == VoucherType.STAY:
        if low is not None or high is not None:
            errors.append(_error("value_min_minor", "A stay's price comes from its room prices."))
    else:
        for name in ("nights", "persons"):
            if getattr(product, name) is not None:
                errors.append(_error(name, f"Only stay vouchers have {name}."))
    for name in ("nights", "persons"):
        count = getattr(product, name)
        if count is not None and count < 1:
            errors.append(_error(name, f"At least one of {name}, or empty for the buyer."))
    if product.hotel_id is not None:
        foreign = [s.name for s in chosen if s.hotel_id != product.hotel_id]
        if foreign:
            errors.append(_error("services", f"Services of another hotel: {', '.join(foreign)}."))
    return errors


def _saved_services(product: VoucherProduct) -> list[AddOnService]:
    return list(product.services.all()) if product.pk is not None else []


def _vat_errors(product: VoucherProduct) -> list[ValidationError]:
    errors = []
    if product.vat_treatment == VatTreatment.SINGLE_PURPOSE:
        if product.type == VoucherType.VALUE:
            errors.append(
                _error(
                    "vat_treatment",
                    "A value voucher pays for supplies at several VAT rates: it is a "
                    "multi-purpose voucher.",
                )
            )
        if product.cross_hotel:
            errors.append(
                _error(
                    "vat_treatment",
                    "A cross-hotel voucher's place of supply is unknown at the sale: it is a "
                    "multi-purpose voucher.",
                )
            )
        if product.vat_rate is None:
            errors.append(_error("vat_rate", "A single-purpose voucher needs its VAT rate."))
    elif product.vat_rate is not None:
        errors.append(_error("vat_rate", "VAT of a multi-purpose voucher is due at redemption."))
    if product.vat_rate is not None and not Decimal(0) <= product.vat_rate < Decimal(100):
        errors.append(_error("vat_rate", "The VAT rate is a percentage from 0 to 99.99."))
    return errors


def room_prices_errors(
    *, product: VoucherProduct, room_prices: Sequence[StayRoomPrice]
) -> list[ValidationError]:
    """Stay vouchers have at least one room price and exactly one default category, all
    of the product's hotel; other types have none."""
    if product.type != VoucherType.STAY:
        if room_prices:
            return [_error("room_prices", "Only stay vouchers have room prices.")]
        return []
    errors = []
    if not room_prices:
        errors.append(_error("room_prices", "A stay voucher needs at least one room price."))
    defaults = sum(1 for p in room_prices if p.is_default)
    if room_prices and defaults != 1:
        errors.append(_error("is_default", "Mark exactly one room category as the default."))
    categories = [p.room_category_id for p in room_prices]
    if len(set(categories)) != len(categories):
        errors.append(_error("room_category", "Each room category has one price."))
    for price in room_prices:
        if price.room_category_id and price.room_category.hotel_id != product.hotel_id:
            errors.append(_error("room_category", f"{price.room_category} is of another hotel."))
        if price.price_minor is None or price.price_minor <= 0:
            errors.append(_error("price_minor", "Room prices are positive."))
    return errors


def positions_errors(
    *,
    product: VoucherProduct,
    positions: Sequence[tuple[ProductPosition, Sequence[Location]]],
    services_chosen: bool | None = None,
) -> list[ValidationError]:
    """Sub-codes are single letters unique within the product; a price is an amount
    (fixed, per person) or a share, and shares add up to 100 %; redemption locations
    are of the organisation's hotels. Positions of fixed prices only are the price
    themselves: such a product has no other pricing."""
    errors = []
    letters = [p.subcode for p, _ in positions]
    for letter in letters:
        if letter not in SUBCODE_LETTERS:
            errors.append(_error("subcode", f"{letter!r}: a sub-code is one letter a-z."))
    duplicates = sorted({x for x in letters if letters.count(x) > 1})
    if duplicates:
        errors.append(_error("subcode", f"Sub-codes repeat: {', '.join(duplicates)}."))
    shares = Decimal(0)
    for position, locations in positions:
        if position.price_kind == PositionPriceKind.SHARE:
            if position.amount_minor is not None:
                errors.append(_error("amount_minor", "A share position has no amount."))
            if position.share_percent is None or not 0 < position.share_percent <= 100:
                errors.append(_error("share_percent", "A share is above 0 and at most 100 %."))
            else:
                shares += position.share_percent
        else:
            if position.amount_minor is None or position.amount_minor <= 0:
                errors.append(_error("amount_minor", f"{position.label!r} needs an amount."))
            if position.share_percent is not None:
                errors.append(_error("share_percent", "Only share positions have a share."))
        foreign = [loc for loc in locations if loc.hotel.organisation_id != product.organisation_id]
        if foreign:
            errors.append(_error("locations", "Locations of another organisation."))
    has_shares = any(p.price_kind == PositionPriceKind.SHARE for p, _ in positions)
    if has_shares and shares != 100:
        errors.append(_error("share_percent", f"The shares add up to {shares} %, not 100 %."))
    if positions and not has_shares:
        if product.type == VoucherType.VALUE and (
            product.value_editable
            or product.value_min_minor is not None
            or product.value_max_minor is not None
        ):
            errors.append(
                _error(
                    "price_kind",
                    "Positions of fixed prices make the value; a buyer-chosen value needs "
                    "share positions.",
                )
            )
        if product.type == VoucherType.SERVICES and services_chosen:
            errors.append(
                _error(
                    "price_kind",
                    "Positions of fixed prices make the value; chosen services need share "
                    "positions.",
                )
            )
    return errors


def publications_errors(
    *,
    product: VoucherProduct,
    publications: Sequence[tuple[Channel, Sequence[ChannelCategory]]],
) -> list[ValidationError]:
    """Channels of the organisation's hotels, once each, with categories of that channel."""
    errors = []
    channels = [c.pk for c, _ in publications]
    if len(set(channels)) != len(channels):
        errors.append(_error("channel", "Each channel is listed once."))
    for channel, categories in publications:
        if channel.hotel.organisation_id != product.organisation_id:
            errors.append(_error("channel", f"{channel} belongs to another organisation."))
        wrong = [c.name for c in categories if c.channel_id != channel.pk]
        if wrong:
            errors.append(
                _error(
                    "categories",
                    f"Categories of another channel than {channel.name}: {', '.join(wrong)}.",
                )
            )
    return errors


@transaction.atomic
def product_save(
    *,
    product: VoucherProduct,
    actor: str,
    services: Iterable[AddOnService] | None = None,
) -> VoucherProduct:
    """Create or update a product after checking its rules (the first broken one is
    raised). The type cannot change; a variant keeps no texts of its own that it
    inherits."""
    if product.pk is not None:
        # Lock the stored row so that the type check and the write see the same type.
        VoucherProduct.objects.select_for_update().filter(pk=product.pk).first()
    chosen = list(services) if services is not None else None
    errors = product_errors(product=product, services=chosen)
    if errors:
        raise errors[0]
    created = product.pk is None
    if product.variant_role == VariantRole.VARIANT:
        for field in INHERITED_TEXTS:
            for language in LANGUAGES:
                setattr(product, f"{field}{_suffix(language)}", "")
        product.title_image = ""
    product.save()
    if chosen is not None:
        product.services.set(chosen)
    AuditEvent.objects.create(
        organisation_id=product.organisation_id,
        actor=actor,
        action="product.created" if created else "product.changed",
        object_type="voucherproduct",
        object_id=str(product.pk),
        data={"type": product.type, "variant_role": product.variant_role},
    )
    return product


def _suffix(language: str) -> str:
    return "" if language == "de" else f"_{language}"
