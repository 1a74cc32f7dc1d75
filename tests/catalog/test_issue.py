"""Issuing from a product uses the price rule: the desk (service) and the API agree."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hotel_vouchers.catalog.models import ProductPosition
from hotel_vouchers.core.errors import ValidationError
from hotel_vouchers.vouchers.models import LedgerEntry, Voucher
from hotel_vouchers.vouchers.services import voucher_issue
from tests.api_helpers import api, make_api, ok, problem  # noqa: F401 - fixtures
from tests.catalog.conftest import make_product


def counts() -> tuple[int, int]:
    return Voucher.objects.count(), LedgerEntry.objects.count()


def test_the_api_issues_a_stay_at_the_price_of_the_choices(api, weekend):
    # given the weekend, when a suite with a dinner is issued, then its price is the value
    body = ok(
        api.post(
            "/vouchers",
            {
                "product_id": weekend.pk,
                "choices": {"room_category": "suite", "services": {"dinner": 1}},
                "paid": True,
            },
        ),
        201,
    )
    assert (body["type"], body["original_value"], body["balance"]) == (
        "stay",
        "587.00",
        "587.00",
    )
    # and without choices it is the default room
    assert ok(api.post("/vouchers", {"product_id": weekend.pk}), 201)["original_value"] == (
        "398.00"
    )


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"choices": {"room_category": "penthouse"}}, "choices.room_category"),
        ({"choices": {"nights": 5}}, "choices.nights"),
        ({"choices": {"services": {"golf": 1}}}, "choices.services"),
        ({"choices": {"view": "lake"}}, "choices"),
        ({"value": "100.00"}, "value"),  # the stay costs 398.00
    ],
)
def test_choices_out_of_bounds_are_a_problem_and_issue_nothing(api, weekend, extra, field):
    before = counts()
    body = problem(
        api.post("/vouchers", {"product_id": weekend.pk, **extra}), 422, "validation_error"
    )
    assert body["field"] == field
    assert counts() == before


def test_a_value_matching_the_price_is_accepted(api, weekend):
    body = {"product_id": weekend.pk, "value": "498.00", "choices": {"room_category": "suite"}}
    assert ok(api.post("/vouchers", body), 201)["original_value"] == "498.00"


def test_issuing_copies_the_computed_positions(org, hotel_a, weekend, bar, restaurant):
    # given the weekend split 70 % stay (bar) and 30 % dinner (restaurant, partial allowed)
    for order, (letter, percent, where, partial) in enumerate(
        (("z", 70, bar, False), ("d", 30, restaurant, True))
    ):
        position = ProductPosition.objects.create(
            product=weekend,
            label=letter.upper(),
            subcode=letter,
            price_kind="share",
            share_percent=Decimal(percent),
            partial_allowed=partial,
            sort_order=order,
        )
        position.locations.set([where])
    # when a suite is issued at the desk
    voucher = voucher_issue(
        organisation=org,
        hotel=hotel_a,
        product=weekend,
        choices={"room_category": "suite"},
        paid=True,
        actor="desk",
    )
    # then its positions carry the shares of 498.00 and the ledger their issue entries
    rows = [
        (p.subcode, p.amount_minor, p.remaining_minor, p.partial_allowed, list(p.locations.all()))
        for p in voucher.positions.order_by("sort_order")
    ]
    assert rows == [("z", 34860, 34860, False, [bar]), ("d", 14940, 14940, True, [restaurant])]
    assert (voucher.original_value_minor, voucher.balance_minor, voucher.has_positions) == (
        49800,
        49800,
        True,
    )
    assert LedgerEntry.objects.filter(voucher=voucher).count() == 2


def test_a_variant_is_issued_under_its_full_name(org, hotel_a):
    reference = make_product(
        org, hotel_a, name="Wertgutschein", variant_role="reference", variant_name="Klassik"
    )
    variant = make_product(
        org,
        hotel_a,
        name="",
        short_description="",
        variant_role="variant",
        variant_of=reference,
        variant_name="Gold",
        value_fixed_minor=20000,
    )
    voucher = voucher_issue(organisation=org, hotel=hotel_a, product=variant, actor="t")
    assert (voucher.product_name, voucher.original_value_minor) == ("Wertgutschein · Gold", 20000)


def test_a_value_product_takes_the_value_as_its_choice(org, hotel_a):
    product = make_product(org, hotel_a, value_min_minor=2500, value_max_minor=100000)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        voucher_issue(
            organisation=org, hotel=hotel_a, product=product, choices={"value": "10"}, actor="t"
        )
    assert caught.value.field == "value"
    with pytest.raises(ValidationError):
        voucher_issue(
            organisation=org,
            hotel=hotel_a,
            product=product,
            value="30",
            choices={"value": "40"},
            actor="t",
        )
    assert counts() == before
    voucher = voucher_issue(
        organisation=org, hotel=hotel_a, product=product, choices={"value": "30"}, actor="t"
    )
    assert voucher.original_value_minor == 3000


def test_choices_without_a_product_are_refused(org, hotel_a):
    with pytest.raises(ValidationError) as caught:
        voucher_issue(
            organisation=org, hotel=hotel_a, value="10", choices={"persons": 2}, actor="t"
        )
    assert caught.value.field == "choices"
    assert counts() == (0, 0)
