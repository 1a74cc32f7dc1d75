import json

from django.core.management.base import BaseCommand, CommandError

from hotel_vouchers.api_clients.services import api_client_create
from hotel_vouchers.core.errors import DomainError
from hotel_vouchers.properties.selectors import hotel_get, location_get, organisation_get


class Command(BaseCommand):
    help = "Create an API client and print its token (shown this once only)."

    def add_arguments(self, parser):
        parser.add_argument("--organization", "--organisation", dest="organization", required=True)
        parser.add_argument("--hotel")
        parser.add_argument("--location", help="location slug, or hotel/location")
        parser.add_argument("--scopes", required=True, help="comma-separated, e.g. vouchers:read")
        parser.add_argument("--name", required=True)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        try:
            org = organisation_get(slug=options["organization"])
            hotel = hotel_get(organisation=org, slug=options["hotel"]) if options["hotel"] else None
            location = None
            if options["location"]:
                slug = options["location"]
                if "/" in slug:
                    hotel_slug, slug = slug.split("/", 1)
                    hotel = hotel_get(organisation=org, slug=hotel_slug)
                location = location_get(organisation=org, slug=slug, hotel=hotel)
            scopes = [s.strip() for s in options["scopes"].split(",") if s.strip()]
            client, token = api_client_create(
                organisation=org,
                name=options["name"],
                scopes=scopes,
                actor="cli",
                hotel=hotel,
                location=location,
            )
        except DomainError as error:
            raise CommandError(error.detail) from None
        if options["json"]:
            self.stdout.write(json.dumps({"id": client.pk, "token": token}))
        else:
            self.stdout.write(f"API client {client.pk} ({client.name}) created.")
            self.stdout.write(f"Token (shown once, store it now): {token}")
