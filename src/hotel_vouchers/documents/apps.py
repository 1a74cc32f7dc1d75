import logging

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "hotel_vouchers.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        # fontTools reports every font subset at INFO: noise in the logs and time per PDF.
        logging.getLogger("fontTools").setLevel(logging.WARNING)
