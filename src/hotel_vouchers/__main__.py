"""The `hotel-vouchers` console command: any Django management command."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotel_vouchers.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["hotel-vouchers", *sys.argv[1:]])


if __name__ == "__main__":
    main()
