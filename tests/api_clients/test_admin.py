"""API clients are created in the admin: the token is shown once, only its hash kept."""

import pytest
from django.urls import reverse

from hotel_vouchers.api_clients.models import ApiClient
from hotel_vouchers.api_clients.services import api_client_authenticate
from hotel_vouchers.core.models import AuditEvent
from tests import factories


@pytest.fixture
def staff(client, django_user_model, db):
    user = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-12345678")
    client.force_login(user)
    return client


def test_staff_create_a_client_and_see_its_token_once(staff, hotel_a, bar):
    # Given the add form of API clients
    url = reverse("admin:api_clients_apiclient_add")
    assert staff.get(url).status_code == 200

    # When staff create a register bound to the bar
    response = staff.post(
        url,
        {
            "name": "Bar register",
            "organisation": hotel_a.organisation_id,
            "hotel": hotel_a.pk,
            "location": bar.pk,
            "scopes": ["vouchers:read", "vouchers:redeem"],
        },
    )

    # Then the page shows a token that authenticates as that client, and only a hash is kept
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = response.context["token"]
    assert token.encode() in response.content
    client = ApiClient.objects.get(name="Bar register")
    assert api_client_authenticate(token=token) == client
    assert client.location == bar and client.scopes == ["vouchers:read", "vouchers:redeem"]
    assert token.split("_")[-1] not in client.token_hash
    assert (
        AuditEvent.objects.filter(action="api_client.created", object_id=str(client.pk)).count()
        == 1
    )
    # and the client's page never shows it again
    page = staff.get(reverse("admin:api_clients_apiclient_change", args=[client.pk]))
    assert page.status_code == 200 and token.encode() not in page.content


def test_a_location_of_another_hotel_is_a_form_error_and_creates_nothing(staff, hotel_a, hotel_b):
    # Given a location of hotel B
    other = factories.location(hotel_b, "spa-b")

    # When staff bind a client of hotel A to it
    response = staff.post(
        reverse("admin:api_clients_apiclient_add"),
        {
            "name": "Wrong",
            "organisation": hotel_a.organisation_id,
            "hotel": hotel_a.pk,
            "location": other.pk,
            "scopes": ["vouchers:read"],
        },
    )

    # Then the form says why, next to the field, and no client exists
    assert response.status_code == 200
    assert "location" in response.context["adminform"].form.errors
    assert not ApiClient.objects.filter(name="Wrong").exists()
