"""GET /api/v1/products through HTTP (shared/API.md)."""

from __future__ import annotations

import pytest

from hotel_vouchers.catalog.models import VoucherProduct
from tests import factories
from tests.api_helpers import ALL_SCOPES, api, make_api, ok, problem  # noqa: F401 - fixtures

PRODUCT_FIELDS = {"id", "name", "type", "pms_reference", "hotel", "cross_hotel", "positions"}


def product(org, hotel, name: str, **fields) -> VoucherProduct:
    return VoucherProduct.objects.create(
        organisation=org, hotel=hotel, name=name, type=fields.pop("type", "value"), **fields
    )


def names(page: dict) -> list[str]:
    return [p["name"] for p in page["results"]]


def test_products_with_their_values_and_positions(api, org, hotel_a, dinner_spa):
    value = product(
        org,
        hotel_a,
        "Wertgutschein",
        value_min_minor=2500,
        value_max_minor=100000,
        cross_hotel=True,
        pms_reference="WG-1",
    )
    fixed = product(org, hotel_a, "Fixed", value_fixed_minor=4000)
    page = ok(api.get("/products"))
    assert page["next_cursor"] is None
    by_id = {p["id"]: p for p in page["results"]}
    assert set(by_id) == {dinner_spa.pk, value.pk, fixed.pk}
    for item in page["results"]:
        assert PRODUCT_FIELDS <= set(item)
        assert item["hotel"] == {"id": hotel_a.pk, "slug": "hotel-a"}
        assert item["currency"] == "EUR"
    assert {k: by_id[value.pk][k] for k in ("type", "pms_reference", "cross_hotel")} == {
        "type": "value",
        "pms_reference": "WG-1",
        "cross_hotel": True,
    }
    assert (by_id[value.pk]["value_min"], by_id[value.pk]["value_max"]) == ("25.00", "1000.00")
    assert (by_id[value.pk]["value"], by_id[value.pk]["positions"]) == (None, [])
    assert by_id[fixed.pk]["value"] == "40.00"
    assert by_id[dinner_spa.pk]["type"] == "services"
    assert by_id[dinner_spa.pk]["positions"] == [
        {
            "label": "Aperitif",
            "subcode": "a",
            "price_kind": "fixed",
            "share_percent": None,
            "amount": "12.00",
            "locations": ["bar"],
        },
        {
            "label": "Menü",
            "subcode": "m",
            "price_kind": "fixed",
            "share_percent": None,
            "amount": "89.00",
            "locations": ["restaurant"],
        },
        {
            "label": "Spa-Guthaben",
            "subcode": "s",
            "price_kind": "fixed",
            "share_percent": None,
            "amount": "45.00",
            "locations": ["spa"],
        },
    ]


def test_only_the_organisations_active_products(api, org, hotel_a):
    product(org, hotel_a, "Sold")
    product(org, hotel_a, "Retired", active=False)
    other = factories.organisation()
    product(other, factories.hotel(other), "Foreign")
    assert names(ok(api.get("/products"))) == ["Sold"]


def test_pages_follow_the_cursor_to_the_end(api, org, hotel_a):
    made = [product(org, hotel_a, f"P{n}").name for n in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        page = ok(api.get("/products", {"limit": 2, **({"cursor": cursor} if cursor else {})}))
        pages += 1
        assert len(page["results"]) <= 2
        seen += names(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert (seen, pages) == (made, 3)
    assert names(ok(api.get("/products", {"limit": 5}))) == made
    assert ok(api.get("/products", {"limit": 5}))["next_cursor"] is None


def test_a_hotel_bound_client_sees_its_hotels_and_the_cross_hotel_products(
    make_api, org, hotel_a, hotel_b
):
    product(org, hotel_a, "A only")
    product(org, hotel_a, "A everywhere", cross_hotel=True)
    product(org, hotel_b, "B only")
    assert names(ok(make_api(hotel=hotel_b).get("/products"))) == ["A everywhere", "B only"]
    assert len(ok(make_api().get("/products"))["results"]) == 3


@pytest.mark.parametrize(
    "params", [{"cursor": "abc"}, {"cursor": "-1"}, {"limit": 0}, {"limit": 501}, {"limit": "x"}]
)
def test_bad_parameters_are_refused(api, params):
    problem(api.get("/products", params), 422, "validation_error")


def test_products_need_the_read_scope(make_api, hotel_a):
    body = problem(
        make_api(scopes=[s for s in ALL_SCOPES if s != "vouchers:read"]).get("/products"),
        403,
        "forbidden",
    )
    assert body["scope"] == "vouchers:read"
    ok(make_api(scopes=["vouchers:read"]).get("/products"))


def test_products_need_a_token(api):
    api.token = None
    problem(api.get("/products"), 401, "unauthorized")
