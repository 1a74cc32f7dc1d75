"""The demo data of DESIGN.md. Loading it twice changes nothing."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from hotel_vouchers.catalog.models import (
    ProductPosition,
    ProductPublication,
    StayRoomPrice,
    VoucherProduct,
)
from hotel_vouchers.documents.models import Layout, Motif
from hotel_vouchers.documents.services import documents_demo_load
from hotel_vouchers.properties.models import (
    AddOnService,
    Channel,
    ChannelCategory,
    Hotel,
    Location,
    Organisation,
    RoomCategory,
)
from hotel_vouchers.vouchers.models import Voucher
from hotel_vouchers.vouchers.services import voucher_issue

ACTOR = "system:demo"


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)
    admin_password: str | None = None


def _get_or_create(result: DemoResult, model, label: str, defaults=None, **lookup):
    obj, created = model.objects.get_or_create(defaults=defaults or {}, **lookup)
    if created:
        result.created.append(label)
    return obj


def demo_load() -> DemoResult:
    result = DemoResult()
    with transaction.atomic():
        org = _get_or_create(
            result,
            Organisation,
            "organisation demo",
            slug="demo",
            defaults={"name": "Demo Hotels", "currency": "EUR"},
        )
        alpenhof = _get_or_create(
            result,
            Hotel,
            "hotel alpenhof",
            organisation=org,
            slug="alpenhof",
            defaults={"name": "Hotel Alpenhof"},
        )
        seeblick = _get_or_create(
            result,
            Hotel,
            "hotel seeblick",
            organisation=org,
            slug="seeblick",
            defaults={"name": "Hotel Seeblick", "country": "AT"},
        )
        places = {}
        for hotel, slug, name, kind in [
            (alpenhof, "front-desk", "Rezeption", Location.Kind.FRONT_DESK),
            (alpenhof, "restaurant", "Restaurant Zirbenstube", Location.Kind.RESTAURANT),
            (alpenhof, "bar", "Kaminbar", Location.Kind.BAR),
            (alpenhof, "spa", "Alpen-Spa", Location.Kind.SPA),
            (seeblick, "front-desk", "Rezeption", Location.Kind.FRONT_DESK),
        ]:
            places[(hotel.slug, slug)] = _get_or_create(
                result,
                Location,
                f"location {hotel.slug}/{slug}",
                hotel=hotel,
                slug=slug,
                defaults={"name": name, "kind": kind},
            )
        double = _get_or_create(
            result,
            RoomCategory,
            "room category komfort",
            hotel=alpenhof,
            slug="komfort",
            defaults={"name": "Doppelzimmer Komfort"},
        )
        suite = _get_or_create(
            result,
            RoomCategory,
            "room category suite",
            hotel=alpenhof,
            slug="suite",
            defaults={"name": "Junior Suite"},
        )
        massage = _get_or_create(
            result,
            AddOnService,
            "service massage",
            hotel=alpenhof,
            slug="massage",
            defaults={"name": "Massage 50 Minuten", "price_minor": 8500},
        )
        dinner = _get_or_create(
            result,
            AddOnService,
            "service dinner",
            hotel=alpenhof,
            slug="dinner",
            defaults={"name": "5-Gang-Menü", "price_minor": 8900},
        )

        value = _get_or_create(
            result,
            VoucherProduct,
            "product Wertgutschein",
            organisation=org,
            name="Wertgutschein",
            defaults=dict(
                hotel=alpenhof,
                type="value",
                value_min_minor=2500,
                value_max_minor=100000,
                cross_hotel=True,
                sort_order=10,
                short_name="WERT",
                short_description="Ein Gutschein über einen Betrag Ihrer Wahl.",
                description="Einlösbar für Übernachtungen, im Restaurant, an der Bar und im "
                "Spa aller Hotels der Gruppe.",
                name_en="Gift voucher",
                short_description_en="A voucher for an amount of your choice.",
                service_text="Gutschein im Wert von #voucher_value#",
                default_dedication="Alles Gute und eine schöne Zeit bei uns!",
            ),
        )
        stay = _get_or_create(
            result,
            VoucherProduct,
            "product Romantik-Wochenende",
            organisation=org,
            name="Romantik-Wochenende",
            defaults=dict(
                hotel=alpenhof,
                type="stay",
                nights=2,
                persons=2,
                sort_order=20,
                short_name="ROMANTIK",
                short_description="Zwei Nächte für zwei im Alpenhof.",
                description="Zwei Übernachtungen mit Frühstück für zwei Personen im gewählten "
                "Zimmer; Massage und Menü dazu buchbar.",
                service_text="#product# für zwei Personen",
                default_dedication="Für ein romantisches Wochenende zu zweit.",
            ),
        )
        if not stay.room_prices.exists():
            StayRoomPrice.objects.create(
                product=stay, room_category=double, price_minor=39800, is_default=True
            )
            StayRoomPrice.objects.create(product=stay, room_category=suite, price_minor=49800)
        wellness = _get_or_create(
            result,
            VoucherProduct,
            "product Wellness-Auszeit",
            organisation=org,
            name="Wellness-Auszeit",
            defaults=dict(
                hotel=alpenhof,
                type="services",
                value_min_minor=5000,
                value_max_minor=50000,
                sort_order=30,
                short_name="WELLNESS",
                short_description="Massage und Menü nach Wahl.",
                description="Wählen Sie Anwendungen im Alpen-Spa und ein Menü in der Zirbenstube.",
            ),
        )
        wellness.services.add(massage, dinner)
        stay.services.add(massage, dinner)
        dinner_spa = _get_or_create(
            result,
            VoucherProduct,
            "product Dinner & Spa",
            organisation=org,
            name="Dinner & Spa",
            defaults=dict(
                hotel=alpenhof,
                type="services",
                sort_order=40,
                short_name="DINNERSPA",
                short_description="Aperitif, Menü und Spa-Guthaben.",
                description="Ein Aperitif an der Kaminbar, das Menü in der Zirbenstube und "
                "45,00 € Guthaben im Alpen-Spa, jedes für sich einlösbar.",
            ),
        )
        if not dinner_spa.positions.exists():
            for order, (letter, label, minor, where, partial) in enumerate(
                [
                    ("a", "Aperitif", 1200, "bar", False),
                    ("m", "Menü", 8900, "restaurant", False),
                    ("s", "Spa-Guthaben", 4500, "spa", True),
                ]
            ):
                position = ProductPosition.objects.create(
                    product=dinner_spa,
                    label=label,
                    amount_minor=minor,
                    subcode=letter,
                    partial_allowed=partial,
                    sort_order=order,
                )
                position.locations.add(places[("alpenhof", where)])

        # Layouts and motifs for the voucher PDF; a web shop channel that sells everything.
        documents_demo_load(organisation=org)
        layouts = {layout.name: layout for layout in Layout.objects.filter(organisation=org)}
        for product, layout_name in [
            (value, "Klassisch A4"),
            (stay, "Klassisch A4"),
            (wellness, "Kompakt DL"),
            (dinner_spa, "Klassisch A4"),
        ]:
            if product.layout_id is None and layout_name in layouts:
                product.layout = layouts[layout_name]
                product.save(update_fields=["layout"])
                product.motifs.set(Motif.objects.filter(organisation=org))
        shop = _get_or_create(
            result,
            Channel,
            "channel alpenhof/shop",
            hotel=alpenhof,
            slug="shop",
            defaults={"name": "Web-Shop", "kind": Channel.Kind.WEB_SHOP},
        )
        categories = {
            slug: _get_or_create(
                result,
                ChannelCategory,
                f"category {slug}",
                channel=shop,
                slug=slug,
                defaults={"name": name, "sort_order": order},
            )
            for order, (slug, name) in enumerate(
                [("geschenke", "Geschenkideen"), ("wellness", "Wellness & Genuss")]
            )
        }
        for product, category in [
            (value, "geschenke"),
            (stay, "geschenke"),
            (wellness, "wellness"),
            (dinner_spa, "wellness"),
        ]:
            publication, created = ProductPublication.objects.get_or_create(
                product=product, channel=shop
            )
            if created:
                publication.categories.add(categories[category])

        for ref, product, amount, paid in [
            ("demo-1", value, "100.00", True),
            ("demo-2", dinner_spa, None, True),
            ("demo-3", value, "50.00", False),
        ]:
            if not Voucher.objects.filter(organisation=org, reference=ref).exists():
                voucher = voucher_issue(
                    organisation=org,
                    hotel=alpenhof,
                    product=product,
                    value=amount,
                    paid=paid,
                    actor=ACTOR,
                    reference=ref,
                    recipient_name="Anna Muster",
                )
                result.created.append(f"voucher {voucher.display_code} ({ref})")

        users = get_user_model()
        if not users.objects.filter(username="admin").exists():
            result.admin_password = secrets.token_urlsafe(12)
            users.objects.create_superuser("admin", "admin@example.com", result.admin_password)
            result.created.append("user admin")
    return result
