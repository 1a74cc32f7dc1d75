from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from unfold.admin import ModelAdmin

from hotel_vouchers.core.admin import ReadOnlyAdmin, ReadOnlyInline
from hotel_vouchers.core.errors import DomainError
from hotel_vouchers.core.money import format_amount
from hotel_vouchers.documents.services import vouchers_pdf_render
from hotel_vouchers.documents.views import pdf_response
from hotel_vouchers.vouchers.models import Hold, LedgerEntry, Voucher, VoucherPosition
from hotel_vouchers.vouchers.services import voucher_cancel, voucher_mark_paid


class PositionInline(ReadOnlyInline):
    model = VoucherPosition
    fields = ["subcode", "label", "amount_minor", "remaining_minor", "partial_allowed"]
    readonly_fields = fields


class LedgerEntryInline(ReadOnlyInline):
    model = LedgerEntry
    fk_name = "voucher"
    fields = [
        "created_at",
        "kind",
        "amount_minor",
        "balance_after_minor",
        "position",
        "hold",
        "location",
        "actor",
        "reference",
        "note",
    ]
    readonly_fields = fields


class HoldInline(ReadOnlyInline):
    model = Hold
    fields = ["created_at", "amount_minor", "captured_minor", "reference", "status", "expires_at"]
    readonly_fields = fields


@admin.register(Voucher)
class VoucherAdmin(ModelAdmin):
    list_display = [
        "display_code",
        "hotel",
        "product_name",
        "value",
        "balance_display",
        "status",
        "valid_until",
    ]
    list_filter = ["organisation", "hotel", "type", "accounting_class", "cross_hotel"]
    search_fields = ["code", "recipient_name", "buyer_name", "buyer_email", "reference"]
    list_select_related = ["hotel"]
    inlines = [PositionInline, HoldInline, LedgerEntryInline]
    actions = ["mark_paid", "cancel", "download_pdf"]
    # Money and state change only through services (actions), never through the form.
    readonly_fields = [
        "pdf",
        "organisation",
        "hotel",
        "product",
        "product_name",
        "type",
        "accounting_class",
        "code",
        "manual_code",
        "currency",
        "original_value_minor",
        "balance_minor",
        "held_minor",
        "cross_hotel",
        "issued_at",
        "paid_at",
        "valid_until",
        "expired_at",
        "cancelled_at",
        "changed_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="PDF")
    def pdf(self, obj: Voucher) -> str:
        url = reverse("documents:voucher_pdf_staff", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">Download PDF</a>', url)

    @admin.action(description="Download the selected vouchers as one PDF")
    def download_pdf(self, request, queryset):
        vouchers = list(queryset.select_related("hotel", "product").order_by("pk")[:1001])
        if len(vouchers) > 1000:
            messages.error(request, "At most 1,000 vouchers at a time.")
            return None
        return pdf_response(vouchers_pdf_render(vouchers=vouchers), filename="vouchers.pdf")

    @admin.display(description="code", ordering="code")
    def display_code(self, obj: Voucher) -> str:
        return obj.display_code

    @admin.display(description="value")
    def value(self, obj: Voucher) -> str:
        return f"{format_amount(obj.original_value_minor, obj.currency)} {obj.currency}"

    @admin.display(description="balance")
    def balance_display(self, obj: Voucher) -> str:
        return f"{format_amount(obj.balance_minor, obj.currency)} {obj.currency}"

    def _run(self, request, queryset, service, done: str):
        ok = 0
        for voucher in queryset:
            try:
                service(voucher_id=voucher.pk, actor=f"user:{request.user.pk}")
                ok += 1
            except DomainError as error:
                messages.error(request, f"{voucher.display_code}: {error.detail}")
        if ok:
            messages.success(request, f"{ok} voucher(s) {done}.")

    @admin.action(description="Mark the selected vouchers paid")
    def mark_paid(self, request, queryset):
        self._run(request, queryset, voucher_mark_paid, "marked paid")

    @admin.action(description="Cancel the selected vouchers")
    def cancel(self, request, queryset):
        self._run(request, queryset, voucher_cancel, "cancelled")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    """Read-only: the ledger is append-only; corrections are new entries."""

    list_display = [
        "created_at",
        "voucher",
        "kind",
        "amount_minor",
        "balance_after_minor",
        "hotel",
        "location",
        "actor",
        "reference",
    ]
    list_filter = ["kind", "hotel"]
    search_fields = ["voucher__code", "reference"]
    list_select_related = ["voucher", "hotel", "location"]


@admin.register(Hold)
class HoldAdmin(ReadOnlyAdmin):
    """Read-only: holds change through the services (capture, release, expiry)."""

    list_display = [
        "id",
        "voucher",
        "amount_minor",
        "captured_minor",
        "reference",
        "status",
        "expires_at",
    ]
    list_filter = ["status"]
    search_fields = ["voucher__code", "reference"]
