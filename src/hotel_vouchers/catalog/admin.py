"""Voucher products in the back office. The rules live in `catalog.services`; the forms
show each broken rule next to its field (or above its inline), never a server error."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html
from unfold.admin import ModelAdmin, TabularInline

from hotel_vouchers.catalog import services
from hotel_vouchers.catalog.models import (
    ProductPosition,
    ProductPublication,
    PublicationPeriod,
    StayRoomPrice,
    VariantRole,
    VoucherProduct,
)
from hotel_vouchers.core.errors import DomainError

INHERITED_FIELDS = [
    "name",
    "name_en",
    "name_it",
    "name_fr",
    "short_description",
    "short_description_en",
    "short_description_it",
    "short_description_fr",
    "title_image",
]


def _actor(request) -> str:
    return f"user:{request.user.get_username()}"


class VoucherProductForm(forms.ModelForm):
    class Meta:
        model = VoucherProduct
        fields: list[str] = []  # the admin's fieldsets choose the fields

    def _post_clean(self) -> None:
        # After the model's own checks: the catalogue's rules on the built instance.
        super()._post_clean()
        chosen = self.cleaned_data.get("services")
        chosen = list(chosen) if chosen is not None else None
        self.instance._chosen_services = chosen  # for the positions inline's rule
        for error in services.product_errors(product=self.instance, services=chosen):
            field = error.field if error.field in self.fields else None
            if field is None or field not in self.errors:
                self.add_error(field, error.detail)


class _RulesFormSet(BaseInlineFormSet):
    """An inline whose rows are checked together by one function of the services."""

    def rows(self) -> list[forms.ModelForm]:
        """The rows that will exist after saving: filled in, not marked for deletion."""
        return [
            f
            for f in self.forms
            if getattr(f, "cleaned_data", None) and not f.cleaned_data.get("DELETE")
        ]

    def rule_errors(self) -> list[DomainError]:
        raise NotImplementedError

    def clean(self) -> None:
        rows_valid = not any(f.errors for f in self.forms)
        messages: list[str] = []
        try:
            super().clean()  # unique sub-codes and room categories, among others
        except forms.ValidationError as error:
            messages += error.messages
        if rows_valid and self.instance is not None:
            messages += [e.detail for e in self.rule_errors() if e.detail not in messages]
        if messages:
            raise forms.ValidationError(messages)


class RoomPriceFormSet(_RulesFormSet):
    def rule_errors(self) -> list[DomainError]:
        prices = [f.instance for f in self.rows()]
        return services.room_prices_errors(product=self.instance, room_prices=prices)


class PositionFormSet(_RulesFormSet):
    def rule_errors(self) -> list[DomainError]:
        rows = [(f.instance, list(f.cleaned_data.get("locations") or [])) for f in self.rows()]
        chosen = getattr(self.instance, "_chosen_services", None)
        return services.positions_errors(
            product=self.instance, positions=rows, services_chosen=bool(chosen)
        )


class PublicationFormSet(_RulesFormSet):
    def rule_errors(self) -> list[DomainError]:
        rows = [
            (f.cleaned_data["channel"], list(f.cleaned_data.get("categories") or []))
            for f in self.rows()
            if f.cleaned_data.get("channel") is not None
        ]
        return services.publications_errors(product=self.instance, publications=rows)


class StayRoomPriceInline(TabularInline):
    model = StayRoomPrice
    formset = RoomPriceFormSet
    extra = 0
    fields = ["room_category", "price_minor", "is_default"]
    verbose_name_plural = (
        "Room prices (stay vouchers): the total when nights and persons are fixed, "
        "else per person and night"
    )


class ProductPositionInline(TabularInline):
    model = ProductPosition
    formset = PositionFormSet
    extra = 0
    fields = [
        "subcode",
        "label",
        "price_kind",
        "amount_minor",
        "share_percent",
        "partial_allowed",
        "locations",
        "sort_order",
    ]
    filter_horizontal = ["locations"]


class ProductPublicationInline(TabularInline):
    model = ProductPublication
    formset = PublicationFormSet
    extra = 0
    fields = ["channel", "categories"]
    verbose_name_plural = "Channels (published on) and their categories"


class PublicationPeriodInline(TabularInline):
    model = PublicationPeriod
    extra = 0
    fields = ["starts_on", "ends_on"]
    verbose_name_plural = "Publication periods (none: always published)"


@admin.register(VoucherProduct)
class VoucherProductAdmin(ModelAdmin):
    form = VoucherProductForm
    list_display = ["__str__", "type", "variant_role", "hotel", "cross_hotel", "active"]
    list_filter = ["organisation", "hotel", "type", "variant_role", "active"]
    search_fields = ["name", "variant_name", "short_name", "pms_reference"]
    filter_horizontal = ["services"]
    inlines = [
        StayRoomPriceInline,
        ProductPositionInline,
        ProductPublicationInline,
        PublicationPeriodInline,
    ]

    def get_fieldsets(self, request, obj=None):
        variant = obj is not None and obj.variant_role == VariantRole.VARIANT
        texts = (
            ["inherited_name", "inherited_short_description", "inherited_title_image"]
            if variant
            else [
                ("name", "name_en"),
                ("name_it", "name_fr"),
                ("short_description", "short_description_en"),
                ("short_description_it", "short_description_fr"),
                "title_image",
            ]
        )
        return [
            (
                "Details",
                {
                    "fields": [
                        ("organisation", "hotel"),
                        "type",
                        ("variant_role", "variant_of"),
                        ("short_name", "sort_order"),
                        ("pms_reference", "cross_hotel"),
                        "active",
                    ]
                },
            ),
            (
                "Texts (German required; others fall back to German)",
                {
                    "fields": [
                        *texts,
                        ("variant_name", "variant_name_en"),
                        ("variant_name_it", "variant_name_fr"),
                        ("description", "description_en"),
                        ("description_it", "description_fr"),
                    ]
                },
            ),
            (
                "Design",
                {
                    "fields": [
                        "service_text",
                        "default_dedication",
                        "thumbnail",
                        ("layout", "motifs"),
                        "pdf_preview",
                    ]
                },
            ),
            (
                "Price",
                {
                    "fields": [
                        ("value_fixed_minor", "value_editable"),
                        ("value_min_minor", "value_max_minor"),
                        ("nights", "persons"),
                    ]
                },
            ),
            ("Add-on services", {"fields": ["services", "package_travel_exempt"]}),
            (
                "Validity and accounting",
                {
                    "fields": [
                        ("validity_years", "validity_to_year_end"),
                        "accounting_class",
                        ("vat_treatment", "vat_rate"),
                    ]
                },
            ),
        ]

    @admin.display(description="PDF preview")
    def pdf_preview(self, obj: VoucherProduct | None) -> str:
        if obj is None or obj.pk is None:
            return "Save the product to preview its voucher."
        url = reverse("documents:product_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">Preview the voucher PDF</a>', url)

    def get_readonly_fields(self, request, obj=None):
        fields = [
            "inherited_name",
            "inherited_short_description",
            "inherited_title_image",
            "pdf_preview",
        ]
        if obj is not None:
            fields.append("type")  # fixed once created (seed 001, 2.1)
            if obj.variant_role == VariantRole.VARIANT:
                fields += INHERITED_FIELDS
        return fields

    @admin.display(description="Name (from the reference)")
    def inherited_name(self, obj: VoucherProduct) -> str:
        return obj.text("name") if obj else ""

    @admin.display(description="Short description (from the reference)")
    def inherited_short_description(self, obj: VoucherProduct) -> str:
        return obj.text("short_description") if obj else ""

    @admin.display(description="Title image (from the reference)")
    def inherited_title_image(self, obj: VoucherProduct) -> str:
        image = obj.inherited_title_image() if obj else None
        return format_html("{}", image.name) if image else "-"

    def save_model(self, request, obj, form, change):
        services.product_save(
            product=obj, actor=_actor(request), services=form.cleaned_data.get("services")
        )
