import csv
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from hotel_vouchers.catalog.models import VoucherProduct
from hotel_vouchers.core.errors import DomainError
from hotel_vouchers.core.money import format_amount
from hotel_vouchers.vouchers.services import voucher_issue


class Command(BaseCommand):
    help = "Issue N vouchers of a product; codes go to stdout, progress to stderr."

    def add_arguments(self, parser):
        parser.add_argument("--product", type=int, required=True, help="product id")
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--value", help="value where the buyer chooses it")
        parser.add_argument("--paid", action="store_true")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, **options):
        product = (
            VoucherProduct.objects.select_related("organisation", "hotel")
            .filter(pk=options["product"])
            .first()
        )
        if product is None:
            raise CommandError(f"No product {options['product']}.")
        count = options["count"]
        if not 1 <= count <= 100_000:
            raise CommandError("--count is 1 to 100000.")
        rows = []
        for n in range(1, count + 1):
            try:
                voucher = voucher_issue(
                    organisation=product.organisation,
                    hotel=product.hotel,
                    product=product,
                    value=options["value"],
                    paid=options["paid"],
                    actor="cli",
                )
            except DomainError as error:
                raise CommandError(error.detail) from None
            rows.append(
                {
                    "code": voucher.display_code,
                    "value": format_amount(voucher.original_value_minor, voucher.currency),
                    "currency": voucher.currency,
                    "valid_until": voucher.valid_until.isoformat() if voucher.valid_until else "",
                }
            )
            if n % 50 == 0 or n == count:
                done = n * 30 // count
                sys.stderr.write(f"\r[{'#' * done}{'.' * (30 - done)}] {n}/{count}")
        sys.stderr.write("\n")
        if options["format"] == "json":
            self.stdout.write(json.dumps(rows, indent=1))
        else:
            writer = csv.DictWriter(self.stdout, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
