from django.contrib import admin
from unfold.admin import ModelAdmin, TabularInline

from hotel_vouchers.properties.models import (
    AddOnService,
    Channel,
    ChannelCategory,
    Hotel,
    Location,
    Organisation,
    RoomCategory,
)


class HotelInline(TabularInline):
    model = Hotel
    extra = 0
    fields = ["slug", "name", "country"]


class LocationInline(TabularInline):
    model = Location
    extra = 0
    fields = ["slug", "name", "kind"]


class ChannelCategoryInline(TabularInline):
    model = ChannelCategory
    extra = 0
    fields = ["slug", "name", "sort_order"]


class RoomCategoryInline(TabularInline):
    model = RoomCategory
    extra = 0
    fields = ["slug", "name", "pms_reference"]


@admin.register(Organisation)
class OrganisationAdmin(ModelAdmin):
    list_display = ["name", "slug", "currency"]
    search_fields = ["name", "slug"]
    inlines = [HotelInline]


@admin.register(Hotel)
class HotelAdmin(ModelAdmin):
    list_display = ["name", "slug", "organisation", "country"]
    list_filter = ["organisation"]
    search_fields = ["name", "slug"]
    inlines = [LocationInline, RoomCategoryInline]


@admin.register(Location)
class LocationAdmin(ModelAdmin):
    list_display = ["name", "slug", "hotel", "kind"]
    list_filter = ["hotel", "kind"]
    search_fields = ["name", "slug"]


@admin.register(RoomCategory)
class RoomCategoryAdmin(ModelAdmin):
    list_display = ["name", "slug", "hotel"]
    list_filter = ["hotel"]


@admin.register(AddOnService)
class AddOnServiceAdmin(ModelAdmin):
    list_display = ["name", "slug", "hotel", "price_minor"]
    list_filter = ["hotel"]


@admin.register(Channel)
class ChannelAdmin(ModelAdmin):
    list_display = ["name", "slug", "hotel", "kind", "active"]
    list_filter = ["hotel", "kind", "active"]
    search_fields = ["name", "slug"]
    inlines = [ChannelCategoryInline]
