"""The voucher PDF: by signed link (buyers, the API's `links.pdf`) and for staff."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from hotel_vouchers.documents.models import Layout
from hotel_vouchers.documents.selectors import voucher_for_pdf_get, voucher_id_from_pdf_token
from hotel_vouchers.documents.services import (
    layout_preview_render,
    product_preview_render,
    voucher_pdf_render,
)
from hotel_vouchers.vouchers.models import Voucher


def pdf_response(content: bytes, *, filename: str, download: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # The link is a bearer secret: keep it and the document out of shared caches and search.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _filename(voucher: Voucher) -> str:
    return f"voucher-{voucher.display_code}.pdf"


@require_GET
def voucher_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """A voucher's PDF for whoever holds its signed link; anything else is a bare 404."""
    voucher_id = voucher_id_from_pdf_token(token=token)
    voucher = voucher_for_pdf_get(voucher_id=voucher_id) if voucher_id is not None else None
    if voucher is None:
        return HttpResponseNotFound("Not found.", content_type="text/plain")
    return pdf_response(voucher_pdf_render(voucher=voucher), filename=_filename(voucher))


@require_GET
@staff_member_required
def voucher_pdf_staff(request: HttpRequest, voucher_id: int) -> HttpResponse:
    voucher = voucher_for_pdf_get(voucher_id=voucher_id)
    if voucher is None:
        return HttpResponseNotFound("Not found.", content_type="text/plain")
    return pdf_response(
        voucher_pdf_render(voucher=voucher),
        filename=_filename(voucher),
        download=request.GET.get("download") == "1",
    )


@require_GET
@staff_member_required
def layout_preview(request: HttpRequest, layout_id: int) -> HttpResponse:
    layout = get_object_or_404(Layout.objects.select_related("background"), pk=layout_id)
    return pdf_response(layout_preview_render(layout=layout), filename=f"layout-{layout.pk}.pdf")


@require_GET
@staff_member_required
def product_preview(request: HttpRequest, product_id: int) -> HttpResponse:
    """The voucher PDF of a product as its buyers get it (from the product's admin page)."""
    from hotel_vouchers.catalog.models import VoucherProduct

    product = get_object_or_404(
        VoucherProduct.objects.select_related("organisation", "hotel", "layout"), pk=product_id
    )
    return pdf_response(
        product_preview_render(product=product), filename=f"product-{product.pk}.pdf"
    )
