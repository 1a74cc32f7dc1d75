from django.apps import AppConfig


class PropertiesConfig(AppConfig):
    name = "hotel_vouchers.properties"
    label = "properties"
    verbose_name = "Organisations and hotels"
