from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone

from hotel_vouchers.catalog.models import AccountingClass, VoucherProduct, VoucherType
from hotel_vouchers.core.codes import format_code
from hotel_vouchers.core.money import from_minor
from hotel_vouchers.properties.models import Hotel, Location, Organisation
from hotel_vouchers.vouchers import domain


class Voucher(models.Model):
    """A sold (or given) voucher. Its balance is a cache of its ledger entries."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="vouchers"
    )
    hotel = models.ForeignKey(
        Hotel, on_delete=models.PROTECT, related_name="vouchers", help_text="Issuing hotel."
    )
    product = models.ForeignKey(
        VoucherProduct, on_delete=models.PROTECT, null=True, blank=True, related_name="vouchers"
    )
    product_name = models.CharField(max_length=200, blank=True, help_text="Snapshot at issue.")
    type = models.CharField(max_length=10, choices=VoucherType.choices, default=VoucherType.VALUE)
    accounting_class = models.CharField(
        max_length=10, choices=AccountingClass.choices, default=AccountingClass.PURCHASE
    )
    code = models.CharField(max_length=32, help_text="Stored normalised, shown with dashes.")
    manual_code = models.BooleanField(default=False)
    currency = models.CharField(max_length=3)
    original_value_minor = models.BigIntegerField()
    balance_minor = models.BigIntegerField()
    held_minor = models.BigIntegerField(default=0, help_text="Sum of active holds.")
    cross_hotel = models.BooleanField(default=False)
    has_positions = models.BooleanField(
        default=False, editable=False, help_text="Redeemed per position (set at issue)."
    )
    issued_at = models.DateTimeField(default=timezone.now)
    paid_at = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    buyer_name = models.CharField(max_length=200, blank=True)
    buyer_email = models.EmailField(blank=True)
    recipient_name = models.CharField(max_length=200, blank=True)
    recipient_email = models.EmailField(blank=True)
    dedication = models.TextField(blank=True)
    language = models.CharField(max_length=5, default="de")
    reference = models.CharField(max_length=100, blank=True, help_text="Booking, invoice, order.")
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="voucher_code_unique"),
            models.CheckConstraint(
                condition=models.Q(balance_minor__gte=0), name="voucher_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(held_minor__gte=0), name="voucher_held_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(balance_minor__gte=models.F("held_minor")),
                name="voucher_balance_covers_holds",
            ),
            models.CheckConstraint(
                condition=models.Q(original_value_minor__gt=0), name="voucher_value_positive"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "changed_at", "id"])]

    def __str__(self) -> str:
        return self.display_code

    @property
    def display_code(self) -> str:
        return format_code(self.code)

    @property
    def balance(self) -> Decimal:
        return from_minor(self.balance_minor, self.currency)

    @property
    def original_value(self) -> Decimal:
        return from_minor(self.original_value_minor, self.currency)

    @property
    def held(self) -> Decimal:
        return from_minor(self.held_minor, self.currency)

    @property
    def available_minor(self) -> int:
        return domain.available(balance=self.balance_minor, held=self.held_minor)

    @property
    def status(self) -> str:
        return domain.voucher_status(
            today=timezone.localdate(),
            cancelled=self.cancelled_at is not None,
            expired=self.expired_at is not None,
            valid_until=self.valid_until,
            paid=self.paid_at is not None,
            balance=self.balance_minor,
            original=self.original_value_minor,
        )


class VoucherPosition(models.Model):
    """One redeemable part of a voucher, copied from the product at issue."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="positions")
    label = models.CharField(max_length=200)
    subcode = models.CharField(max_length=1)
    amount_minor = models.BigIntegerField()
    remaining_minor = models.BigIntegerField()
    partial_allowed = models.BooleanField(default=False)
    locations = models.ManyToManyField(Location, related_name="voucher_positions")
    sort_order = models.IntegerField(default=0)

    class Meta:
        ordering = ["voucher_id", "sort_order", "subcode"]
        constraints = [
            models.UniqueConstraint(fields=["voucher", "subcode"], name="position_subcode_unique"),
            models.CheckConstraint(
                condition=models.Q(remaining_minor__gte=0)
                & models.Q(remaining_minor__lte=models.F("amount_minor")),
                name="position_remaining_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subcode}. {self.label}"


class Hold(models.Model):
    """A pre-authorisation: an amount reserved for a reference until captured,
    released or expired. Past `expires_at` it reserves nothing, swept or not."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        CAPTURED = "captured"
        RELEASED = "released"
        EXPIRED = "expired"

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="holds")
    amount_minor = models.BigIntegerField()
    captured_minor = models.BigIntegerField(default=0)
    reference = models.CharField(max_length=100)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    actor = models.CharField(max_length=100)
    hotel = models.ForeignKey(Hotel, on_delete=models.PROTECT, null=True, blank=True)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="hold_positive"),
            models.CheckConstraint(
                condition=models.Q(captured_minor__gte=0)
                & models.Q(captured_minor__lte=models.F("amount_minor")),
                name="hold_captured_in_range",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self) -> str:
        return f"Hold {self.pk} on {self.voucher_id}"

    def effective_status(self, now=None) -> str:
        now = now or timezone.now()
        if self.status == self.Status.ACTIVE and self.expires_at <= now:
            return self.Status.EXPIRED
        return self.status


class AppendOnlyError(Exception):
    """Ledger entries are never changed or deleted; corrections are new entries."""


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Ledger entries cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Ledger entries cannot be deleted.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("Ledger entries cannot be updated.")


class LedgerEntry(models.Model):
    """One change of a voucher's balance. Append-only."""

    class Kind(models.TextChoices):
        ISSUE = "issue"
        REDEEM = "redeem"
        CAPTURE = "capture"
        REVERSAL = "reversal"
        REFUND = "refund"
        EXPIRE = "expire"
        REACTIVATE = "reactivate"
        ADJUST = "adjust"
        CANCEL = "cancel"

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    amount_minor = models.BigIntegerField(help_text="Signed: a redemption is negative.")
    balance_after_minor = models.BigIntegerField()
    position = models.ForeignKey(VoucherPosition, on_delete=models.PROTECT, null=True, blank=True)
    hold = models.ForeignKey(Hold, on_delete=models.PROTECT, null=True, blank=True)
    hotel = models.ForeignKey(
        Hotel, on_delete=models.PROTECT, null=True, blank=True, help_text="Where it happened."
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True)
    actor = models.CharField(max_length=100)
    reference = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=500, blank=True)
    idempotency_key = models.CharField(max_length=255, blank=True)
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    occurred_at = models.DateTimeField(
        null=True, blank=True, help_text="When a register redeemed it, if earlier (batch sync)."
    )

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "ledger entries"
        ordering = ["voucher_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance_after_minor__gte=0), name="ledger_balance_after_ok"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_minor:+d} on {self.voucher_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Ledger entries cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Ledger entries cannot be deleted.")

    @property
    def amount(self) -> Decimal:
        return from_minor(self.amount_minor, self.voucher.currency)
