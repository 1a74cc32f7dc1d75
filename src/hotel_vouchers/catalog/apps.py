from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "hotel_vouchers.catalog"
    label = "catalog"
    verbose_name = "Voucher products"
