from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "hotel_vouchers.core"
    label = "core"
