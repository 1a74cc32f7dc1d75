from django.urls import path, re_path

from hotel_vouchers.documents import views

app_name = "documents"

urlpatterns = [
    # <voucher id>.<signature>.pdf; the signature is URL-safe base64.
    re_path(
        r"^vouchers/(?P<token>[0-9]+\.[A-Za-z0-9_-]+)\.pdf$", views.voucher_pdf, name="voucher_pdf"
    ),
    path("staff/vouchers/<int:voucher_id>.pdf", views.voucher_pdf_staff, name="voucher_pdf_staff"),
    path("staff/layouts/<int:layout_id>/preview.pdf", views.layout_preview, name="layout_preview"),
    path(
        "staff/products/<int:product_id>/preview.pdf",
        views.product_preview,
        name="product_preview",
    ),
]
