from django.db import models

from hotel_vouchers.properties.models import (
    AddOnService,
    Hotel,
    Location,
    Organisation,
    RoomCategory,
)


class VoucherType(models.TextChoices):
    VALUE = "value", "Value voucher"
    STAY = "stay", "Stay voucher"
    SERVICES = "services", "Services voucher"


class AccountingClass(models.TextChoices):
    PURCHASE = "purchase", "Purchase (sold for money)"
    DEAL = "deal", "Deal (sold by a partner)"
    CLEARING = "clearing", "Clearing (issued without payment)"


class VoucherProduct(models.Model):
    """What a hotel sells. Pricing, layouts and channels grow here (seed 001)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="products"
    )
    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, related_name="products")
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60, blank=True, help_text="Internal short name.")
    type = models.CharField(max_length=10, choices=VoucherType.choices)
    sort_order = models.IntegerField(default=0)
    pms_reference = models.CharField(max_length=60, blank=True)
    cross_hotel = models.BooleanField(
        default=False, help_text="Redeemable at every hotel of the organisation."
    )
    value_fixed_minor = models.BigIntegerField(null=True, blank=True)
    value_min_minor = models.BigIntegerField(null=True, blank=True)
    value_max_minor = models.BigIntegerField(null=True, blank=True)
    nights = models.PositiveSmallIntegerField(null=True, blank=True)
    persons = models.PositiveSmallIntegerField(null=True, blank=True)
    services = models.ManyToManyField(AddOnService, blank=True, related_name="products")
    validity_years = models.PositiveSmallIntegerField(
        null=True, blank=True, default=3, help_text="Empty: the voucher does not expire."
    )
    validity_to_year_end = models.BooleanField(
        default=True, help_text="Count to 31 December of the last year."
    )
    accounting_class = models.CharField(
        max_length=10, choices=AccountingClass.choices, default=AccountingClass.PURCHASE
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
            ),
        ]

    def __str__(self) -> str:
        return self.name


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
    """A part of a product redeemed on its own, at its own locations (seed 004)."""

    product = models.ForeignKey(VoucherProduct, on_delete=models.CASCADE, related_name="positions")
    label = models.CharField(max_length=200)
    amount_minor = models.BigIntegerField()
    subcode = models.CharField(max_length=1, help_text="One letter, unique within the product.")
    partial_allowed = models.BooleanField(default=False)
    locations = models.ManyToManyField(Location, related_name="product_positions")
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["product_id", "sort_order", "subcode"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "subcode"], name="product_position_subcode_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(amount_minor__gt=0), name="product_position_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subcode}. {self.label}"
