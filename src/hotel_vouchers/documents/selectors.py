"""Reads: the layout a voucher is printed with, and its signed PDF link."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from hotel_vouchers.documents.layouts import builtin_boxes
from hotel_vouchers.documents.models import Layout, Motif, Orientation, PageSize
from hotel_vouchers.documents.placeholders import language_of
from hotel_vouchers.vouchers.models import Voucher

# The salt keeps these signatures from being valid anywhere else SECRET_KEY signs.
_PDF_SIGNER_SALT = "hotel_vouchers.documents.voucher-pdf"


def _signer() -> signing.Signer:
    # "." separates id and signature: both survive any e-mail client and URL untouched.
    return signing.Signer(salt=_PDF_SIGNER_SALT, sep=".")


def voucher_pdf_token(*, voucher_id: int) -> str:
    """`<id>.<HMAC-SHA256>`: unguessable without SECRET_KEY, and it never expires,
    because a link in a voucher e-mail must keep working."""
    return _signer().sign(str(voucher_id))


def voucher_id_from_pdf_token(*, token: str) -> int | None:
    """The voucher id of a genuine token; None for a tampered or foreign one."""
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None


def voucher_pdf_url(*, voucher: Voucher) -> str:
    """The absolute signed URL of the voucher's PDF (the API's `links.pdf`)."""
    token = voucher_pdf_token(voucher_id=voucher.pk)
    return settings.BASE_URL + reverse("documents:voucher_pdf", kwargs={"token": token})


def voucher_layout_get(*, voucher: Voucher) -> Layout | None:
    """The layout of the voucher's product, if the product names one."""
    product = voucher.product if voucher.product_id else None
    return getattr(product, "layout", None)


def voucher_motif_get(*, voucher: Voucher) -> Motif | None:
    """The motif the buyer picked, once vouchers record one."""
    return getattr(voucher, "motif", None)


def layout_builtin(*, language: str = "de") -> Layout:
    """The layout used when none is given or configured: A4 portrait, motif on
    top, texts in the voucher's language. Not saved."""
    return Layout(
        name="Standard",
        page_size=PageSize.A4,
        orientation=Orientation.PORTRAIT,
        boxes=builtin_boxes(language_of(language)),
    )


def voucher_for_pdf_get(*, voucher_id: int) -> Voucher | None:
    return Voucher.objects.select_related("hotel", "product").filter(pk=voucher_id).first()
