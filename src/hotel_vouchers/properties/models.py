from django.db import models

from hotel_vouchers.core.money import CURRENCY_DIGITS

CURRENCY_CHOICES = [(c, c) for c in sorted(CURRENCY_DIGITS)]


class Organisation(models.Model):
    """The tenant: a hotel group or a single hotel company (Mandant)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="EUR")

    def __str__(self) -> str:
        return self.name


class Hotel(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="hotels")
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, default="DE", help_text="ISO 3166 country code.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="hotel_slug_unique")
        ]
        ordering = ["organisation_id", "name"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """Where vouchers are redeemed: front desk, restaurant, bar, spa (Einlösestelle)."""

    class Kind(models.TextChoices):
        FRONT_DESK = "front_desk", "Front desk"
        RESTAURANT = "restaurant", "Restaurant"
        BAR = "bar", "Bar"
        SPA = "spa", "Spa"
        SHOP = "shop", "Shop"
        OTHER = "other", "Other"

    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, related_name="locations")
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hotel", "slug"], name="location_slug_unique")
        ]
        ordering = ["hotel_id", "name"]

    def __str__(self) -> str:
        return f"{self.hotel.name} · {self.name}"


class RoomCategory(models.Model):
    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, related_name="room_categories")
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    pms_reference = models.CharField(max_length=60, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hotel", "slug"], name="room_category_slug_unique")
        ]
        verbose_name_plural = "room categories"

    def __str__(self) -> str:
        return f"{self.hotel.name} · {self.name}"


class AddOnService(models.Model):
    """A bookable extra or service (massage, dinner, late check-out)."""

    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, related_name="services")
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    price_minor = models.BigIntegerField(help_text="Price in minor units (cents).")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hotel", "slug"], name="service_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(price_minor__gte=0), name="service_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.Model):
    """Where a hotel publishes its voucher products: own web shop, a portal, the booking
    engine (seed 001, 5.1)."""

    class Kind(models.TextChoices):
        WEB_SHOP = "web_shop", "Own web shop"
        PORTAL = "portal", "Portal"
        BOOKING_ENGINE = "booking_engine", "Booking engine"
        OTHER = "other", "Other"

    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, related_name="channels")
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.WEB_SHOP)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hotel", "slug"], name="channel_slug_unique")
        ]
        ordering = ["hotel_id", "name"]

    def __str__(self) -> str:
        return f"{self.hotel.name} · {self.name}"


class ChannelCategory(models.Model):
    """An indicator that groups the products of one channel in the shop (Indikator)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="categories")
    slug = models.SlugField()
    name = models.CharField(max_length=200)
    sort_order = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "slug"], name="channel_category_slug_unique")
        ]
        ordering = ["channel_id", "sort_order", "name"]
        verbose_name_plural = "channel categories"

    def __str__(self) -> str:
        return f"{self.channel.name} · {self.name}"
