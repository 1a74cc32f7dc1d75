"""The signed PDF link, the staff download, the admin pages and the API's links.pdf."""

import io

import pypdf
import pytest
from django.urls import reverse

from hotel_vouchers.documents.models import Layout, Motif
from hotel_vouchers.documents.selectors import (
    voucher_id_from_pdf_token,
    voucher_pdf_token,
    voucher_pdf_url,
)
from hotel_vouchers.documents.services import documents_demo_load
from tests.api_helpers import api, make_api, ok  # noqa: F401


def path_of(url: str, settings) -> str:
    assert url.startswith(settings.BASE_URL + "/documents/vouchers/")
    return url[len(settings.BASE_URL) :]


def test_the_signed_url_serves_the_pdf(client, dinner_voucher, settings):
    url = voucher_pdf_url(voucher=dinner_voucher)
    response = client.get(path_of(url, settings))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        f'filename="voucher-{dinner_voucher.display_code}.pdf"' in response["Content-Disposition"]
    )
    assert "no-store" in response["Cache-Control"]
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert dinner_voucher.display_code in text


def test_the_token_is_unguessable_and_stable(dinner_voucher):
    token = voucher_pdf_token(voucher_id=dinner_voucher.pk)
    identifier, signature = token.split(".")
    assert identifier == str(dinner_voucher.pk)
    assert len(signature) >= 40  # HMAC-SHA256, base64
    assert voucher_pdf_token(voucher_id=dinner_voucher.pk) == token  # links in e-mails keep working
    assert voucher_id_from_pdf_token(token=token) == dinner_voucher.pk


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t, other: f"{other}.{t.split('.')[1]}",  # another voucher's id, this signature
        lambda t, other: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
        lambda t, other: f"{t.split('.')[0]}.x",  # no real signature
        lambda t, other: t + "x",
    ],
)
def test_a_tampered_token_is_a_bare_404(client, dinner_voucher, hotel_a, tamper):
    from tests import factories

    other = factories.value_voucher(hotel_a, "10.00")
    token = tamper(voucher_pdf_token(voucher_id=dinner_voucher.pk), other.pk)
    response = client.get(f"/documents/vouchers/{token}.pdf")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")
    assert response.content == b"Not found."  # nothing about vouchers, signatures or ids


def test_a_token_of_a_deleted_or_unknown_voucher_is_404(client, db):
    token = voucher_pdf_token(voucher_id=999_999)
    assert client.get(f"/documents/vouchers/{token}.pdf").status_code == 404


def test_the_staff_download_needs_staff(client, dinner_voucher, django_user_model):
    url = reverse("documents:voucher_pdf_staff", args=[dinner_voucher.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    user = django_user_model.objects.create_user("guest", "g@example.com", "pw-12345678")
    client.force_login(user)
    assert client.get(url).status_code == 302
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    response = client.get(url + "?download=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.fixture
def staff(client, django_user_model, org):
    documents_demo_load(organisation=org)
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-12345678")
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", ["documents/layout", "documents/motif"])
def test_the_admin_pages_render(staff, model):
    app, name = model.split("/")
    response = staff.get(reverse(f"admin:{app}_{name}_changelist"))
    assert response.status_code == 200
    for obj in response.context["cl"].result_list:
        assert staff.get(reverse(f"admin:{app}_{name}_change", args=[obj.pk])).status_code == 200
    assert staff.get(reverse(f"admin:{app}_{name}_add")).status_code == 200


def test_the_layout_preview_and_the_voucher_admin_link(staff, dinner_voucher):
    layout = Layout.objects.first()
    response = staff.get(reverse("documents:layout_preview", args=[layout.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    page = staff.get(reverse("admin:vouchers_voucher_change", args=[dinner_voucher.pk]))
    assert page.status_code == 200
    assert reverse("documents:voucher_pdf_staff", args=[dinner_voucher.pk]) in page.content.decode()


def test_the_admin_action_downloads_the_selection_as_one_pdf(staff, dinner_voucher, hotel_a):
    from tests import factories

    second = factories.value_voucher(hotel_a, "10.00")
    response = staff.post(
        reverse("admin:vouchers_voucher_changelist"),
        {"action": "download_pdf", "_selected_action": [dinner_voucher.pk, second.pk]},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert len(pypdf.PdfReader(io.BytesIO(response.content)).pages) == 2


def test_the_api_voucher_object_links_its_pdf(api, dinner_voucher, client, settings):
    body = ok(api.get(f"/vouchers/{dinner_voucher.code}"))
    assert body["links"]["pdf"] == voucher_pdf_url(voucher=dinner_voucher)
    assert client.get(path_of(body["links"]["pdf"], settings)).status_code == 200
    feed = ok(api.get("/vouchers", {"changed_since": "2000-01-01T00:00:00Z"}))
    assert [v["links"]["pdf"] for v in feed["results"]] == [body["links"]["pdf"]]


def test_demo_layouts_and_motifs_load_once(org):
    documents_demo_load(organisation=org)
    state = (
        list(Layout.objects.values_list("id", "name", "page_size", "orientation")),
        list(Motif.objects.values_list("id", "name", "image")),
    )
    documents_demo_load(organisation=org)
    assert state == (
        list(Layout.objects.values_list("id", "name", "page_size", "orientation")),
        list(Motif.objects.values_list("id", "name", "image")),
    )
    assert sorted(name for _, name, *_ in state[0]) == ["Klassisch A4", "Kompakt DL"]
    for motif in Motif.objects.all():
        assert motif.image.storage.exists(motif.image.name)
        for layout in Layout.objects.all():
            layout.full_clean()
