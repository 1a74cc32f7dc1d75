from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "hotel_vouchers.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
