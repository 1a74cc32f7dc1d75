"""Voucher PDFs, layouts and the demo's layouts and motifs."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from hotel_vouchers.core.errors import DomainError, ValidationError
from hotel_vouchers.core.money import from_minor
from hotel_vouchers.documents import demo_images, pdf
from hotel_vouchers.documents.layouts import layout_boxes_validate, page_dimensions
from hotel_vouchers.documents.models import Layout, Motif, Orientation, PageSize
from hotel_vouchers.documents.placeholders import format_date, format_money, language_of
from hotel_vouchers.documents.selectors import (
    layout_builtin,
    voucher_layout_get,
    voucher_motif_get,
)
from hotel_vouchers.properties.models import Organisation
from hotel_vouchers.vouchers.models import Voucher, VoucherPosition

logger = logging.getLogger(__name__)


# --- layouts ------------------------------------------------------------------


def layout_create(
    *,
    organisation: Organisation,
    name: str,
    boxes: list[dict[str, Any]],
    page_size: str = PageSize.A4,
    orientation: str = Orientation.PORTRAIT,
    background: Motif | None = None,
) -> Layout:
    """A new layout; ValidationError(field=...) if the boxes do not make one."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationError("A layout needs a name of at most 200 characters.", field="name")
    layout_boxes_validate(boxes=boxes, page_size=page_size, orientation=orientation)
    if background is not None and background.organisation_id != organisation.pk:
        raise ValidationError("The motif belongs to another organisation.", field="background")
    if Layout.objects.filter(organisation=organisation, name=name).exists():
        raise ValidationError(f"There is already a layout {name!r}.", field="name")
    return Layout.objects.create(
        organisation=organisation,
        name=name,
        boxes=boxes,
        page_size=page_size,
        orientation=orientation,
        background=background,
    )


# --- rendering -------------------------------------------------------------------


def _page_layout(layout: Layout, motif: Motif | None) -> pdf.PageLayout:
    width, height = page_dimensions(layout.page_size, layout.orientation)
    chosen = motif or (layout.background if layout.background_id else None)
    return pdf.PageLayout.of(
        width=width, height=height, boxes=layout.boxes, motif=_motif_file(chosen)
    )


def _motif_file(motif: Motif | None) -> pdf.Motif | None:
    if motif is None or not motif.image:
        return None
    try:
        path = motif.image.path
        return pdf.Motif(path=path, version=os.stat(path).st_mtime)
    except (OSError, NotImplementedError):
        # A lost image file must not stop the voucher: print it without the picture.
        logger.warning("Motif %s has no readable image; printing without it.", motif.pk)
        return None


def _content(
    voucher: Voucher, positions: Sequence[VoucherPosition], language: str
) -> pdf.VoucherContent:
    currency = voucher.currency
    code = voucher.display_code
    lines = [
        pdf.PositionLine(
            subcode=p.subcode,
            label=p.label,
            amount=format_money(from_minor(p.amount_minor, currency), currency, language),
            code=f"{p.subcode}.{code}",
        )
        for p in positions
    ]
    values = {
        "voucher_value": format_money(voucher.original_value, currency, language),
        "code": code,
        "valid_until": format_date(voucher.valid_until, language),
        "recipient": voucher.recipient_name,
        "dedication": voucher.dedication,
        "product": voucher.product_name,
        "hotel": voucher.hotel.name,
        "positions": "\n".join(f"{p.subcode}. {p.label} {p.amount} ({p.code})" for p in lines),
    }
    return pdf.VoucherContent(code=code, values=values, positions=lines)


def _positions_of(vouchers: Sequence[Voucher]) -> dict[int, list[VoucherPosition]]:
    found: dict[int, list[VoucherPosition]] = {}
    ids = [v.pk for v in vouchers if v.has_positions]
    for position in VoucherPosition.objects.filter(voucher_id__in=ids).order_by(
        "voucher_id", "sort_order", "subcode"
    ):
        found.setdefault(position.voucher_id, []).append(position)
    return found


def vouchers_pdf_render(
    *,
    vouchers: Iterable[Voucher],
    layout: Layout | None = None,
    motif: Motif | None = None,
    language: str | None = None,
) -> bytes:
    """One PDF with a page per voucher.

    Each voucher is printed with `layout` if given, else its product's layout,
    else the built-in one; with `motif` if given, else the buyer's, else the
    layout's background; in `language` if given, else the voucher's own."""
    vouchers = list(vouchers)
    if not vouchers:
        raise ValidationError("No vouchers to print.", field="vouchers")
    positions = _positions_of(vouchers)
    pages = []
    builtin: dict[str, Layout] = {}
    page_cache: dict[tuple[int, int | None], pdf.PageLayout] = {}
    for voucher in vouchers:
        lang = language_of(language or voucher.language)
        chosen = layout or voucher_layout_get(voucher=voucher)
        if chosen is None:
            chosen = builtin.setdefault(lang, layout_builtin(language=lang))
        chosen_motif = motif or voucher_motif_get(voucher=voucher)
        key = (id(chosen), chosen_motif.pk if chosen_motif else None)
        if key not in page_cache:
            page_cache[key] = _page_layout(chosen, chosen_motif)
        pages.append((page_cache[key], _content(voucher, positions.get(voucher.pk, []), lang)))
    title = "Voucher" if len(vouchers) > 1 else f"Voucher {vouchers[0].display_code}"
    return pdf.pdf_pages_render(pages, title=title)


def voucher_pdf_render(
    *,
    voucher: Voucher,
    layout: Layout | None = None,
    motif: Motif | None = None,
    language: str | None = None,
) -> bytes:
    """The voucher's PDF (see `vouchers_pdf_render` for the choice of layout)."""
    return vouchers_pdf_render(vouchers=[voucher], layout=layout, motif=motif, language=language)


def layout_preview_render(*, layout: Layout, motif: Motif | None = None) -> bytes:
    """A layout printed with made-up voucher data (Gutscheinvorschau)."""
    from datetime import date

    from hotel_vouchers.properties.models import Hotel

    language = "de"
    sample = Voucher(
        code="DEMOVOUCHER0",
        currency="EUR",
        original_value_minor=15000,
        balance_minor=15000,
        valid_until=date(date.today().year + 3, 12, 31),
        recipient_name="Anna Muster",
        dedication="Alles Gute zum Geburtstag! Genieße ein paar schöne Tage.",
        product_name="Dinner & Spa",
        hotel=Hotel(name="Hotel Alpenhof"),
    )
    lines = [("a", "Aperitif", 1200), ("m", "Menü", 8900), ("s", "Spa-Guthaben", 4500)]
    positions = [VoucherPosition(subcode=s, label=label, amount_minor=m) for s, label, m in lines]
    page = _page_layout(layout, motif)
    return pdf.pdf_pages_render(
        [(page, _content(sample, positions, language))], title=f"Preview {layout.name}"
    )


def product_preview_render(*, product) -> bytes:
    """A voucher of this product as a buyer would get it, with made-up buyer data:
    the product's layout (or the standard one), its first motif, its positions."""
    from datetime import date

    from hotel_vouchers.catalog.selectors import product_price

    language = "de"
    layout = product.layout or layout_builtin(language=language)
    motif = product.motifs.order_by("pk").first()
    try:
        price = product_price(product=product, choices={})
        value = price.total_minor
        lines = [(p.rule.subcode, p.rule.label, p.amount_minor) for p in price.positions]
    except DomainError:  # the price needs the buyer's choices: show a round value
        value, lines = product.value_fixed_minor or product.value_min_minor or 10000, []
    sample = Voucher(
        code="DEMOVOUCHER0",
        currency=product.organisation.currency,
        original_value_minor=value,
        balance_minor=value,
        valid_until=date(date.today().year + (product.validity_years or 3), 12, 31),
        recipient_name="Anna Muster",
        dedication=product.default_dedication or "Alles Gute!",
        product=product,
        product_name=product.name,
        hotel=product.hotel,
    )
    positions = [VoucherPosition(subcode=s, label=label, amount_minor=m) for s, label, m in lines]
    page = _page_layout(layout, motif)
    return pdf.pdf_pages_render(
        [(page, _content(sample, positions, language))], title=f"Preview {product.name}"
    )


# --- demo data ---------------------------------------------------------------------


def _demo_boxes_dl() -> list[dict[str, Any]]:
    """DL landscape (210 x 99 mm): motif on the left third, texts on the right."""
    ink, accent, grey = "#1f2933", "#8a6d3b", "#52606d"
    return [
        {"kind": "motif", "x": 0, "y": 0, "w": 72, "h": 99},
        {"kind": "text", "x": 80, "y": 7, "w": 122, "h": 6, "template": "#hotel#",
         "font": "DejaVu Sans Bold", "size": 10, "colour": accent, "align": "left"},
        {"kind": "text", "x": 80, "y": 13, "w": 122, "h": 13, "template": "Gutschein",
         "font": "DejaVu Serif Bold", "size": 26, "colour": ink, "align": "left"},
        {"kind": "text", "x": 80, "y": 27, "w": 122, "h": 6, "template": "#product#",
         "font": "DejaVu Sans", "size": 10, "colour": grey, "align": "left"},
        {"kind": "text", "x": 80, "y": 34, "w": 122, "h": 8, "template": "für #recipient#",
         "font": "DejaVu Serif Italic", "size": 13, "colour": ink, "align": "left"},
        {"kind": "text", "x": 80, "y": 43, "w": 88, "h": 9, "template": "#voucher_value#",
         "font": "DejaVu Sans Bold", "size": 16, "colour": ink, "align": "left"},
        {"kind": "text", "x": 80, "y": 53, "w": 88, "h": 9, "template": "#dedication#",
         "font": "DejaVu Serif Italic", "size": 9, "colour": grey, "align": "left"},
        {"kind": "positions", "x": 80, "y": 63, "w": 88, "h": 12, "font": "DejaVu Sans",
         "size": 7, "colour": ink},
        {"kind": "text", "x": 80, "y": 76, "w": 88, "h": 6, "template": "Code: #code#",
         "font": "DejaVu Sans Bold", "size": 10, "colour": ink, "align": "left"},
        {"kind": "text", "x": 80, "y": 82, "w": 88, "h": 5,
         "template": "Gültig bis #valid_until#", "font": "DejaVu Sans", "size": 8,
         "colour": grey, "align": "left"},
        {"kind": "qr", "x": 172, "y": 50, "w": 32, "h": 32},
        {"kind": "barcode", "x": 80, "y": 88, "w": 88, "h": 9, "human_readable": False},
    ]  # fmt: skip


def _demo_boxes_a4() -> list[dict[str, Any]]:
    boxes = layout_builtin(language="de").boxes
    return [
        *boxes,
        {"kind": "text", "x": 15, "y": 283, "w": 180, "h": 8,
         "template": "Einlösbar im #hotel# an der Rezeption, im Restaurant, in der Bar und im Spa.",
         "font": "DejaVu Sans", "size": 8, "colour": "#52606d", "align": "center"},
    ]  # fmt: skip


_DEMO_MOTIFS = {
    "Alpenpanorama": ("alpenpanorama.jpg", demo_images.alpine_panorama),
    "Seeblick am Abend": ("seeblick-am-abend.jpg", demo_images.lake_evening),
}


def _demo_motif(organisation: Organisation, name: str) -> Motif:
    filename, draw = _DEMO_MOTIFS[name]
    motif = Motif.objects.filter(organisation=organisation, name=name).first()
    if motif is None:
        motif = Motif(organisation=organisation, name=name)
    elif motif.image and motif.image.storage.exists(motif.image.name):
        return motif
    # Drawn into MEDIA_ROOT on first load, and again if the file was lost.
    motif.image.save(f"{organisation.slug}-{filename}", ContentFile(draw()), save=False)
    motif.save()
    return motif


def documents_demo_load(*, organisation: Organisation) -> None:
    """Two motifs and two layouts (A4 portrait, DL landscape) for the demo.
    Loading again changes nothing."""
    with transaction.atomic():
        alps = _demo_motif(organisation, "Alpenpanorama")
        lake = _demo_motif(organisation, "Seeblick am Abend")
        for name, size, orientation, boxes, background in (
            ("Klassisch A4", PageSize.A4, Orientation.PORTRAIT, _demo_boxes_a4(), alps),
            ("Kompakt DL", PageSize.DL, Orientation.LANDSCAPE, _demo_boxes_dl(), lake),
        ):
            if not Layout.objects.filter(organisation=organisation, name=name).exists():
                layout_create(
                    organisation=organisation,
                    name=name,
                    boxes=boxes,
                    page_size=size,
                    orientation=orientation,
                    background=background,
                )
