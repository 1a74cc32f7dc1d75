from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from hotel_vouchers.catalog.models import ProductPosition, StayRoomPrice, VoucherProduct


class ProductPositionInline(TabularInline):
    model = ProductPosition
    extra = 0
    fields = ["subcode", "label", "amount_minor", "partial_allowed", "locations", "sort_order"]
    filter_horizontal = ["locations"]


class StayRoomPriceInline(TabularInline):
    model = StayRoomPrice
    extra = 0


@admin.register(VoucherProduct)
class VoucherProductAdmin(ModelAdmin):
    list_display = ["name", "type", "hotel", "cross_hotel", "active", "sort_order"]
    list_filter = ["organisation", "hotel", "type", "active"]
    search_fields = ["name", "short_name", "pms_reference"]
    inlines = [StayRoomPriceInline, ProductPositionInline]
