from django.conf import settings
from django.core.management.base import BaseCommand

from hotel_vouchers.demo import demo_load


class Command(BaseCommand):
    help = "Load the demo data (organisation demo, hotels alpenhof and seeblick, products)."

    def handle(self, *args, **options):
        result = demo_load()
        if not result.created:
            self.stdout.write("Demo data is already loaded; nothing changed.")
        for label in result.created:
            self.stdout.write(f"created {label}")
        if result.admin_password:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Log in at {settings.BASE_URL}/admin/ as admin "
                    f"with password {result.admin_password}"
                )
            )
        else:
            self.stdout.write(
                f"Log in at {settings.BASE_URL}/admin/ as admin (password as printed when the "
                "demo was first loaded; `hotel-vouchers changepassword admin` sets a new one)."
            )
