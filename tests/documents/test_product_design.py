"""A product's layout and motifs: the voucher PDF uses them, staff preview it from the
product page, and a layout of another organisation is refused."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from hotel_vouchers.catalog.services import product_save
from hotel_vouchers.core.errors import ValidationError
from hotel_vouchers.documents.models import Layout
from hotel_vouchers.documents.services import voucher_pdf_render
from hotel_vouchers.vouchers.services import voucher_issue
from tests import factories
from tests.catalog.conftest import make_product


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def staff(client, django_user_model, db):
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-12345678")
    client.force_login(user)
    return client


def test_the_products_layout_shapes_its_vouchers(org, hotel_a, demo_layouts):
    # Given a product on the DL layout (210 x 99 mm, landscape)
    layout = Layout.objects.get(organisation=org, name="Kompakt DL")
    product = make_product(org, hotel_a, value_min_minor=1000, value_max_minor=50000)
    product.layout = layout
    product.save(update_fields=["layout"])

    # When a voucher of it is rendered
    voucher = voucher_issue(
        organisation=org, hotel=hotel_a, product=product, value="40.00", paid=True, actor="t"
    )
    page = PdfReader(io.BytesIO(voucher_pdf_render(voucher=voucher))).pages[0]

    # Then the page is the layout's size, not the standard A4
    width_mm = float(page.mediabox.width) * 25.4 / 72
    height_mm = float(page.mediabox.height) * 25.4 / 72
    assert (round(width_mm), round(height_mm)) == (210, 99)


def test_staff_preview_the_voucher_from_the_product_page(staff, org, hotel_a, demo_layouts):
    # Given a product with a layout and a service text
    product = make_product(org, hotel_a, name="Sommerfrische", value_fixed_minor=12000)
    product.layout = Layout.objects.get(organisation=org, name="Klassisch A4")
    product.save(update_fields=["layout"])

    # When staff open the product page and follow its preview link
    page = staff.get(reverse("admin:catalog_voucherproduct_change", args=[product.pk]))
    url = reverse("documents:product_preview", args=[product.pk])
    response = staff.get(url)

    # Then the page links the preview, and the preview is a PDF of this product's voucher
    assert page.status_code == 200 and url.encode() in page.content
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    assert "Sommerfrische" in text and "120,00" in text and "#" not in text


def test_the_preview_is_for_staff_only(client, org, hotel_a):
    product = make_product(org, hotel_a)
    response = client.get(reverse("documents:product_preview", args=[product.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_layout_of_another_organisation_is_refused(org, hotel_a, demo_layouts):
    # Given a layout of another organisation
    other = factories.organisation()
    from hotel_vouchers.documents.services import documents_demo_load

    documents_demo_load(organisation=other)
    foreign = Layout.objects.filter(organisation=other).first()
    product = make_product(org, hotel_a)

    # When a product is saved with it, then the service refuses and the product keeps none
    product.layout = foreign
    with pytest.raises(ValidationError) as refused:
        product_save(product=product, actor="t")
    assert refused.value.field == "layout"
    product.refresh_from_db()
    assert product.layout_id is None
