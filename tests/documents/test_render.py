"""The voucher PDF: rendered, rasterised (pdftoppm) and read back (zbarimg, pypdf)."""

import io
import re
from datetime import date

import pypdf
import pytest

from hotel_vouchers.documents.layouts import PAGE_SIZES
from hotel_vouchers.documents.models import Layout, Motif
from hotel_vouchers.documents.services import (
    layout_create,
    layout_preview_render,
    voucher_pdf_render,
    vouchers_pdf_render,
)
from hotel_vouchers.vouchers.models import Voucher
from tests import factories
from tests.documents.conftest import decoded, pdf_to_png

NBSP = "\u00a0"


def text_of(pdf: bytes) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [page.extract_text() for page in reader.pages]


def page_sizes_mm(pdf: bytes) -> list[tuple[int, int]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return [
        (round(float(p.mediabox.width) * 25.4 / 72), round(float(p.mediabox.height) * 25.4 / 72))
        for p in reader.pages
    ]


def test_the_qr_code_and_the_barcode_read_back_as_exactly_the_code(dinner_voucher, tmp_path):
    # given a voucher printed with the built-in layout
    pdf = voucher_pdf_render(voucher=dinner_voucher)
    assert pdf.startswith(b"%PDF-")
    # when the page is printed at 150 dpi and scanned
    (png,) = pdf_to_png(pdf, tmp_path, dpi=150)
    symbols = decoded(png)
    # then the QR code and the Code 128 barcode both say the voucher's code, and only that
    assert sorted(symbols) == sorted(
        [f"QR-Code:{dinner_voucher.display_code}", f"CODE-128:{dinner_voucher.display_code}"]
    )


def test_the_text_has_every_placeholder_substituted(dinner_voucher):
    text = text_of(voucher_pdf_render(voucher=dinner_voucher))[0]
    flat = text.replace(NBSP, " ")
    code = dinner_voucher.display_code
    for expected in (
        dinner_voucher.hotel.name,
        dinner_voucher.product_name,
        "für Anna Müller",
        "Alles Gute zum Geburtstag! Genieße den Abend.",
        "Wert: 146,00 €",
        code,
        f"Gültig bis: {dinner_voucher.valid_until:%d.%m.%Y}",
        f"a. Aperitif 12,00 € a.{code}",
        f"m. Menü 89,00 € m.{code}",
        f"s. Spa-Guthaben 45,00 € s.{code}",
    ):
        assert expected in flat, expected
    assert not re.search(r"#[A-Za-z_]+#", text)


def test_a_name_with_markup_and_non_latin_letters_renders_literally(hotel_a, tmp_path):
    name = 'Zoë <Ann> & "Ђорђе" Ωμέγα Łódź Şükrü'
    voucher = factories.value_voucher(
        hotel_a, "50.00", recipient_name=name, dedication="Für #code# & <b>dich</b> ß €"
    )
    pdf = voucher_pdf_render(voucher=voucher)
    text = text_of(pdf)[0]
    assert name in text
    assert "Für #code# & <b>dich</b> ß €" in text  # never substituted a second time
    assert "Wert: 50,00" in text
    (png,) = pdf_to_png(pdf, tmp_path)
    assert f"QR-Code:{voucher.display_code}" in decoded(png)


def test_the_fonts_are_embedded(dinner_voucher):
    pdf = voucher_pdf_render(voucher=dinner_voucher)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    names = set()
    for ref in fonts.values():
        font = ref.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()
        names.add(str(font["/BaseFont"]))
    assert any("DejaVuSans" in n for n in names)
    assert all(not n.startswith("/Helvetica") for n in names)


def test_english_vouchers_speak_english(hotel_a):
    voucher = factories.value_voucher(hotel_a, "1234.50", language="en", recipient_name="Ann")
    text = text_of(voucher_pdf_render(voucher=voucher))[0]
    assert "Gift voucher" in text and "Value: €1,234.50" in text


def test_demo_layouts_in_a4_and_dl_scan(demo_layouts, dinner_voucher, tmp_path):
    a4 = Layout.objects.get(organisation=demo_layouts, name="Klassisch A4")
    dl = Layout.objects.get(organisation=demo_layouts, name="Kompakt DL")
    pdf = vouchers_pdf_render(vouchers=[dinner_voucher], layout=a4)
    pdf_dl = voucher_pdf_render(voucher=dinner_voucher, layout=dl)
    assert page_sizes_mm(pdf) == [PAGE_SIZES["A4"]]
    assert page_sizes_mm(pdf_dl) == [(210, 99)]  # DL landscape
    for document, folder in ((pdf, tmp_path / "a4"), (pdf_dl, tmp_path / "dl")):
        folder.mkdir()
        (png,) = pdf_to_png(document, folder)
        assert sorted(decoded(png)) == sorted(
            [f"QR-Code:{dinner_voucher.display_code}", f"CODE-128:{dinner_voucher.display_code}"]
        )


def test_a_batch_has_a_page_per_voucher(hotel_a):
    vouchers = [factories.value_voucher(hotel_a, f"{10 + n}.00") for n in range(5)]
    pdf = vouchers_pdf_render(vouchers=Voucher.objects.filter(pk__in=[v.pk for v in vouchers]))
    pages = text_of(pdf)
    codes = [v.display_code for v in vouchers]
    assert [[code for code in codes if code in page] for page in pages] == [[c] for c in codes]


def test_long_texts_stay_in_their_box_and_missing_dates_read_well(hotel_a):
    voucher = factories.value_voucher(
        hotel_a, "20.00", no_expiry=True, dedication="Sehr lange Widmung. " * 80
    )
    text = text_of(voucher_pdf_render(voucher=voucher))[0]
    assert "unbegrenzt gültig" in text
    assert "…" in text  # cut, not spilled over the codes
    assert voucher.display_code in text


def test_a_lost_motif_file_prints_without_the_picture(org, dinner_voucher, settings):
    motif = Motif.objects.create(organisation=org, name="Lost", image="motifs/lost.jpg")
    pdf = voucher_pdf_render(voucher=dinner_voucher, motif=motif)
    assert dinner_voucher.display_code in text_of(pdf)[0]


def test_a_layout_preview_uses_sample_data(demo_layouts):
    layout = Layout.objects.get(organisation=demo_layouts, name="Kompakt DL")
    text = text_of(layout_preview_render(layout=layout))[0]
    assert "Anna Muster" in text and "a. Aperitif" in text


def test_an_explicit_layout_and_valid_until(org, hotel_a):
    layout = layout_create(
        organisation=org,
        name="A5",
        page_size="A5",
        boxes=[
            {"kind": "text", "x": 10, "y": 10, "w": 128, "h": 10, "font": "DejaVu Sans",
             "size": 10, "colour": "#000000", "template": "#code# · #valid_until# · #product#"},
            {"kind": "qr", "x": 10, "y": 30, "w": 40, "h": 40},
        ],
    )  # fmt: skip
    voucher = factories.value_voucher(hotel_a, "30.00", valid_until=date(2030, 6, 30))
    pdf = voucher_pdf_render(voucher=voucher, layout=layout)
    assert page_sizes_mm(pdf) == [PAGE_SIZES["A5"]]
    assert f"{voucher.display_code} · 30.06.2030 ·" in text_of(pdf)[0]


@pytest.mark.parametrize("language", ["de", "en", "it", "fr"])
def test_every_language_renders(hotel_a, language):
    voucher = factories.value_voucher(hotel_a, "10.00")
    assert (
        voucher.display_code in text_of(voucher_pdf_render(voucher=voucher, language=language))[0]
    )


def test_a_layout_without_text_still_renders(org, hotel_a):
    layout = layout_create(
        organisation=org,
        name="Only a QR code",
        page_size="DL",
        boxes=[{"kind": "qr", "x": 10, "y": 10, "w": 40, "h": 40}],
    )
    voucher = factories.value_voucher(hotel_a, "10.00")
    assert voucher_pdf_render(voucher=voucher, layout=layout).startswith(b"%PDF-")
