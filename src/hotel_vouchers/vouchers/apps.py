from django.apps import AppConfig


class VouchersConfig(AppConfig):
    name = "hotel_vouchers.vouchers"
    label = "vouchers"
