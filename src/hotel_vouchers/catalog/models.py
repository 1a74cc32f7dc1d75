from __future__ import annotations

from django.db import models

from hotel_vouchers.properties.models import (
    AddOnService,
    Channel,
    ChannelCategory,
    Hotel,
    Location,
    Organisation,
    RoomCategory,
)

LANGUAGES = ("de", "en", "it", "fr")


class VoucherType(models.TextChoices):
    VALUE = "value", "Value voucher"
    STAY = "stay", "Stay voucher"
    SERVICES = "services", "Services voucher"


class AccountingClass(models.TextChoices):
    PURCHASE = "purchase", "Purchase (sold for money)"
    DEAL = "deal", "Deal (sold by a partner)"
    CLEARING = "clearing", "Clearing (issued without payment)"


class VariantRole(models.TextChoices):
    STANDALONE = "standalone", "No variants"
    REFERENCE = "reference", "Reference product (the first variant)"
    VARIANT = "variant", "Further variant of a reference product"


class VatTreatment(models.TextChoices):
    MULTI_PURPOSE = "multi_purpose", "Multi-purpose voucher (VAT at redemption)"
    SINGLE_PURPOSE = "single_purpose", "Single-purpose voucher (VAT at the sale)"


class PositionPriceKind(models.TextChoices):
    FIXED = "fixed", "Fixed amount"
    PER_PERSON = "per_person", "Amount per person"
    SHARE = "share", "Share of the price (percent)"


def _text(help_text: str, **kwargs) -> models.TextField:
    return models.TextField(blank=True, default="", help_text=help_text, **kwargs)


class VoucherProduct(models.Model):
    """What a hotel sells (seed 001).

    Texts are plain columns per language: the German one (`name`, `short_description`,
    ...) is required and the fallback; `_en`, `_it`, `_fr` are optional. A variant
    inherits name, short description and title image from its reference product:
    its own columns stay empty and `inherited()` resolves them.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="products"
    )
    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, related_name="products")
    type = models.CharField(
        max_length=10,
        choices=VoucherType.choices,
        default=VoucherType.VALUE,
        help_text="Fixed once the product is created.",
    )
    variant_role = models.CharField(
        max_length=10, choices=VariantRole.choices, default=VariantRole.STANDALONE
    )
    variant_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="variants",
        limit_choices_to={"variant_role": VariantRole.REFERENCE},
        help_text="The reference product of a further variant.",
    )
    name = models.CharField(max_length=200, blank=True, help_text="Name (German).")
    name_en = models.CharField(max_length=200, blank=True, default="")
    name_it = models.CharField(max_length=200, blank=True, default="")
    name_fr = models.CharField(max_length=200, blank=True, default="")
    variant_name = models.CharField(
        max_length=200, blank=True, default="", help_text="Variant name (German)."
    )
    variant_name_en = models.CharField(max_length=200, blank=True, default="")
    variant_name_it = models.CharField(max_length=200, blank=True, default="")
    variant_name_fr = models.CharField(max_length=200, blank=True, default="")
    short_description = _text("Short description (German), shown under the name.")
    short_description_en = _text("")
    short_description_it = _text("")
    short_description_fr = _text("")
    description = _text("Detailed description (German), shown on 'show details'.")
    description_en = _text("")
    description_it = _text("")
    description_fr = _text("")
    title_image = models.ImageField(upload_to="catalog/titles/", blank=True, default="")
    short_name = models.CharField(max_length=60, blank=True, help_text="Internal short name.")
    sort_order = models.IntegerField(default=0)
    pms_reference = models.CharField(max_length=60, blank=True)
    cross_hotel = models.BooleanField(
        default=False, help_text="Redeemable at every hotel of the organisation."
    )
    # Texts on the voucher; the layout and motifs are the documents app's.
    service_text = _text("On the voucher; placeholders #voucher_value#, #code#, #valid_until#.")
    default_dedication = _text("Pre-filled dedication the buyer may change.")
    layout = models.ForeignKey(
        "documents.Layout",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
        help_text="The voucher PDF's layout; empty: the standard A4 layout.",
    )
    motifs = models.ManyToManyField(
        "documents.Motif",
        blank=True,
        related_name="products",
        help_text="Motifs the buyer chooses from; the first is the default.",
    )
    thumbnail = models.ImageField(
        upload_to="catalog/thumbnails/",
        blank=True,
        default="",
        help_text="Shown on the booking confirmation.",
    )
    value_fixed_minor = models.BigIntegerField(
        null=True, blank=True, help_text="Value vouchers: the value, in cents."
    )
    value_editable = models.BooleanField(
        default=False, help_text="Value vouchers: the buyer may change the fixed value."
    )
    value_min_minor = models.BigIntegerField(
        null=True, blank=True, help_text="Value and services vouchers: lowest value, in cents."
    )
    value_max_minor = models.BigIntegerField(
        null=True, blank=True, help_text="Value and services vouchers: highest value, in cents."
    )
    nights = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Stay vouchers: nights included; empty: the buyer chooses."
    )
    persons = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Stay vouchers: fixed persons; empty: the buyer chooses."
    )
    services = models.ManyToManyField(
        AddOnService,
        blank=True,
        related_name="products",
        help_text="Services vouchers: the choice; stay vouchers: bookable extras.",
    )
    package_travel_exempt = models.BooleanField(
        default=False,
        help_text="Stay vouchers: not a package (EU 2015/2302); no pre-contractual form.",
    )
    validity_years = models.PositiveSmallIntegerField(
        null=True, blank=True, default=3, help_text="Empty: the voucher does not expire."
    )
    validity_to_year_end = models.BooleanField(
        default=True, help_text="Count to 31 December of the last year."
    )
    accounting_class = models.CharField(
        max_length=10, choices=AccountingClass.choices, default=AccountingClass.PURCHASE
    )
    vat_treatment = models.CharField(
        max_length=20,
        choices=VatTreatment.choices,
        default=VatTreatment.MULTI_PURPOSE,
        help_text="Single-purpose only for stay and services vouchers of one hotel.",
    )
    vat_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Single-purpose vouchers: the VAT rate in percent due at the sale.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["organisation_id", "sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value_min_minor__isnull=True)
                | models.Q(value_max_minor__isnull=True)
                | models.Q(value_min_minor__lte=models.F("value_max_minor")),
                name="product_value_min_le_max",
                violation_error_message="The minimum value is above the maximum.",
            ),
            models.CheckConstraint(
                condition=models.Q(variant_role=VariantRole.VARIANT, variant_of__isnull=False)
                | (~models.Q(variant_role=VariantRole.VARIANT) & models.Q(variant_of__isnull=True)),
                name="product_variant_has_reference",
                violation_error_message="Only a further variant names a reference product.",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name()

    @property
    def text_source(self) -> VoucherProduct:
        """The product whose name, short description and title image apply."""
        if self.variant_role == VariantRole.VARIANT and self.variant_of is not None:
            return self.variant_of
        return self

    def text(self, field: str, language: str = "de") -> str:
        """A multilingual text in `language`, German where it is empty; inherited ones
        (name, short description) from the reference product."""
        owner = self.text_source if field in INHERITED_TEXTS else self
        value = getattr(owner, f"{field}_{language}", "") if language != "de" else ""
        return value or getattr(owner, field)

    def inherited_title_image(self):
        return self.text_source.title_image

    def display_name(self, language: str = "de") -> str:
        """The name with the variant name, e.g. "Romantik-Wochenende · Suite"."""
        name = self.text("name", language)
        if self.variant_role != VariantRole.STANDALONE:
            variant = self.text("variant_name", language)
            if variant:
                return f"{name} · {variant}" if name else variant
        return name


INHERITED_TEXTS = ("name", "short_description")


class StayRoomPrice(models.Model):
    product = models.ForeignKey(
        VoucherProduct, on_delete=models.CASCADE, related_name="room_prices"
    )
    room_category = models.ForeignKey(RoomCategory, on_delete=models.PROTECT)
    price_minor = models.BigIntegerField()
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "room_category"], name="stay_room_price_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(price_minor__gt=0), name="stay_room_price_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room_category}: {self.price_minor}"


class ProductPosition(models.Model):
    """A part of a product redeemed on its own, at its own locations (seed 004).

    Its price is a fixed amount, an amount per person, or a share (percent) of the
    price the buyer's choices give; see `domain.product_price_compute`."""

    product = models.ForeignKey(VoucherProduct, on_delete=models.CASCADE, related_name="positions")
    label = models.CharField(max_length=200)
    price_kind = models.CharField(
        max_length=10, choices=PositionPriceKind.choices, default=PositionPriceKind.FIXED
    )
    amount_minor = models.BigIntegerField(
        null=True, blank=True, help_text="Fixed or per-person amount, in cents."
    )
    share_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="Share of the price."
    )
    subcode = models.CharField(max_length=1, help_text="One letter, unique within the product.")
    partial_allowed = models.BooleanField(default=False)
    locations = models.ManyToManyField(Location, related_name="product_positions", blank=True)
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["product_id", "sort_order", "subcode"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "subcode"], name="product_position_subcode_unique"
            ),
            models.CheckConstraint(
                condition=(
                    ~models.Q(price_kind=PositionPriceKind.SHARE)
                    & models.Q(amount_minor__gt=0, share_percent__isnull=True)
                )
                | models.Q(
                    price_kind=PositionPriceKind.SHARE,
                    amount_minor__isnull=True,
                    share_percent__gt=0,
                    share_percent__lte=100,
                ),
                name="product_position_price",
                violation_error_message="A position has an amount or a share (0-100 %), not both.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subcode}. {self.label}"


class ProductPublication(models.Model):
    """The product is published on this channel, grouped under these categories."""

    product = models.ForeignKey(
        VoucherProduct, on_delete=models.CASCADE, related_name="publications"
    )
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="publications")
    categories = models.ManyToManyField(ChannelCategory, blank=True, related_name="publications")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "channel"], name="product_publication_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} on {self.channel}"


class PublicationPeriod(models.Model):
    """With periods, a product is published only within them; without, always."""

    product = models.ForeignKey(
        VoucherProduct, on_delete=models.CASCADE, related_name="publication_periods"
    )
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["product_id", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_on__lte=models.F("ends_on")),
                name="publication_period_ordered",
                violation_error_message="A publication period ends on or after its start.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.starts_on} to {self.ends_on}"
