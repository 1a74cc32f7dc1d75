from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from unfold.admin import ModelAdmin

from hotel_vouchers.documents.models import Layout, Motif


@admin.register(Motif)
class MotifAdmin(ModelAdmin):
    list_display = ["name", "organisation", "thumbnail"]
    list_filter = ["organisation"]
    search_fields = ["name"]
    readonly_fields = ["thumbnail"]

    @admin.display(description="preview")
    def thumbnail(self, obj: Motif) -> str:
        if not obj.pk or not obj.image:
            return "-"
        return format_html('<img src="{}" alt="" style="max-height:80px">', obj.image.url)


@admin.register(Layout)
class LayoutAdmin(ModelAdmin):
    """`boxes` is checked on save (Layout.clean): a mistake is a form error."""

    list_display = ["name", "organisation", "page_size", "orientation", "background", "preview"]
    list_filter = ["organisation", "page_size"]
    search_fields = ["name"]
    list_select_related = ["organisation", "background"]
    readonly_fields = ["preview"]

    @admin.display(description="preview")
    def preview(self, obj: Layout) -> str:
        if not obj.pk:
            return "-"
        url = reverse("documents:layout_preview", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">Preview PDF</a>', url)
