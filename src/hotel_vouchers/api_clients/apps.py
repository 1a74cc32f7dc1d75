from django.apps import AppConfig


class ApiClientsConfig(AppConfig):
    name = "hotel_vouchers.api_clients"
    label = "api_clients"
    verbose_name = "API clients"
