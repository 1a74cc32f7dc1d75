"""The vouchers part of the integration API, through HTTP (shared/API.md).

Every refusal checks the problem JSON and that nothing changed: balance,
holds, ledger entries, positions, audit log and idempotency records
(factories.snapshot, through `refused`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from hotel_vouchers.api_clients.services import api_client_revoke
from hotel_vouchers.catalog.models import VoucherProduct
from hotel_vouchers.core import ratelimit
from hotel_vouchers.core.codes import ALPHABET, generate_code
from hotel_vouchers.core.models import RateLimitCounter
from hotel_vouchers.vouchers import services
from hotel_vouchers.vouchers.models import Hold, LedgerEntry, Voucher, VoucherPosition
from tests import factories
from tests.api_helpers import (  # noqa: F401 - fixtures
    ALL_SCOPES,
    api,
    assert_hold_shape,
    assert_transaction_shape,
    assert_utc_time,
    assert_voucher_shape,
    code_path,
    make_api,
    ok,
    problem,
    refused,
)
from tests.factories import snapshot, value_voucher

# --- fixtures ----------------------------------------------------------------


@pytest.fixture
def voucher(hotel_a) -> Voucher:
    return value_voucher(hotel_a, "100.00", recipient_name="Anna")


@pytest.fixture
def dinner_voucher(org, hotel_a, dinner_spa) -> Voucher:
    return services.voucher_issue(
        organisation=org, hotel=hotel_a, product=dinner_spa, paid=True, actor="test"
    )


@pytest.fixture
def foreign_voucher(db) -> Voucher:
    """A voucher of another organisation."""
    return value_voucher(factories.hotel(factories.organisation()), "100.00")


def unknown_code(*known: Voucher) -> str:
    """A well-formed code (valid check character) that no voucher has."""
    taken = {v.code for v in known}
    while (code := generate_code()) in taken:
        pass
    return code


def typo(code: str) -> str:
    """The code with its last (check) character changed: a typo the check catches."""
    last = code[-1]
    return code[:-1] + next(symbol for symbol in ALPHABET if symbol != last)


def redeem(api, code: str, body):
    return api.post(f"/vouchers/{code_path(code)}/redemptions", body)


def position(voucher: Voucher, subcode: str) -> VoucherPosition:
    return VoucherPosition.objects.get(voucher=voucher, subcode=subcode)


# --- balance inquiry -----------------------------------------------------------


def test_balance_inquiry_answers_the_voucher_object(api, voucher):
    # given a voucher of 100.00 with 30.00 redeemed and 20.00 held
    services.voucher_redeem(voucher_id=voucher.pk, amount="30.00", actor="t")
    services.hold_create(voucher_id=voucher.pk, amount="20.00", reference="B1", actor="t")
    # when the client asks for it
    body = ok(api.get(f"/vouchers/{voucher.code}"))
    # then it sees the balance, the hold and what is left (100 - 30 = 70; 70 - 20 = 50)
    assert_voucher_shape(body)
    assert "position" not in body
    assert body["code"] == voucher.display_code
    assert (body["status"], body["type"], body["product"]) == ("partially_redeemed", "value", None)
    assert body["hotel"] == {"id": voucher.hotel_id, "slug": "hotel-a"}
    assert (body["currency"], body["original_value"], body["balance"]) == ("EUR", "100.00", "70.00")
    assert (body["held"], body["available"]) == ("20.00", "50.00")
    assert body["cross_hotel"] is False
    assert body["valid_until"] == voucher.valid_until.isoformat()
    assert assert_utc_time(body["issued_at"]) == voucher.issued_at
    assert assert_utc_time(body["paid_at"]) == voucher.paid_at
    assert (body["positions"], body["recipient_name"]) == ([], "Anna")


@pytest.mark.parametrize(
    "spell",
    [
        str.lower,
        lambda code: code.replace("-", " ").lower(),
        lambda code: code.replace("-", ""),
        lambda code: f"  {code.replace('-', ' - ')}  ",
    ],
)
def test_codes_are_read_leniently_and_answered_canonically(api, voucher, spell):
    body = ok(api.get(f"/vouchers/{code_path(spell(voucher.display_code))}"))
    assert body["code"] == voucher.display_code
    assert body["code"].count("-") == 2


def test_a_manual_code_typed_as_people_do(api, hotel_a):
    # API.md's example "EDQR-TU3A-M3F7" has a U, outside the code alphabet: a manual code.
    manual = value_voucher(hotel_a, code="EDQR-TU3A-M3F7")
    body = ok(api.get(f"/vouchers/{code_path('edqr tu3a m3f7')}"))
    assert body["code"] == manual.display_code == "EDQRTU3AM3F7"


def test_a_subcode_adds_the_position(api, dinner_voucher):
    body = ok(api.get(f"/vouchers/{code_path('a.' + dinner_voucher.display_code.lower())}"))
    assert_voucher_shape(body)
    aperitif = position(dinner_voucher, "a")
    assert body["position"] == {
        "id": aperitif.pk,
        "label": "Aperitif",
        "subcode": "a",
        "amount": "12.00",
        "remaining": "12.00",
        "partial_allowed": False,
        "locations": ["bar"],
    }
    assert [p["subcode"] for p in body["positions"]] == ["a", "m", "s"]
    assert body["type"] == "services"
    assert body["original_value"] == body["balance"] == "146.00"  # 12 + 89 + 45


def test_an_unknown_subcode_is_position_not_found(api, dinner_voucher):
    problem(api.get(f"/vouchers/z.{dinner_voucher.code}"), 404, "position_not_found")


@pytest.mark.parametrize("raw", ["ab", "!!!!!", "x" * 40, "a.b.c"])
def test_a_malformed_code_is_invalid_code(api, raw):
    problem(api.get(f"/vouchers/{code_path(raw)}"), 422, "invalid_code")


def test_a_wrong_check_character_is_told_apart_from_an_unknown_code(api, voucher):
    body = problem(api.get(f"/vouchers/{typo(voucher.code)}"), 422, "invalid_code")
    assert body["reason"] == "check_character"
    problem(api.get(f"/vouchers/{unknown_code(voucher)}"), 404, "voucher_not_found")


def test_another_organisations_code_looks_like_an_unknown_one(api, voucher, foreign_voucher):
    foreign = problem(api.get(f"/vouchers/{foreign_voucher.code}"), 404, "voucher_not_found")
    unknown = problem(
        api.get(f"/vouchers/{unknown_code(foreign_voucher)}"), 404, "voucher_not_found"
    )
    assert foreign == unknown
    refused(
        lambda: redeem(api, foreign_voucher.code, {"amount": "1.00"}),
        foreign_voucher.pk,
        404,
        "voucher_not_found",
    )
    refused(
        lambda: api.post(
            f"/vouchers/{foreign_voucher.code}/holds", {"amount": "1.00", "reference": "B"}
        ),
        foreign_voucher.pk,
        404,
        "voucher_not_found",
    )


# --- redemption ----------------------------------------------------------------


def test_redeem_an_amount_given_as_a_string(api, voucher):
    response = redeem(api, voucher.display_code, {"amount": "30.50", "reference": "R1"})
    body = ok(response, 201)
    transaction = body["transaction"]
    assert_transaction_shape(transaction)
    assert_voucher_shape(body["voucher"])
    assert (transaction["type"], transaction["amount"], transaction["balance_after"]) == (
        "redeem",
        "-30.50",
        "69.50",
    )
    assert (transaction["currency"], transaction["reference"], transaction["location"]) == (
        "EUR",
        "R1",
        None,
    )
    assert (body["voucher"]["balance"], body["voucher"]["status"]) == (
        "69.50",
        "partially_redeemed",
    )
    entry = LedgerEntry.objects.get(pk=transaction["id"])
    assert (entry.voucher_id, entry.kind, entry.amount_minor) == (voucher.pk, "redeem", -3050)
    assert entry.hotel_id == voucher.hotel_id
    assert Voucher.objects.get(pk=voucher.pk).balance_minor == 6950


@pytest.mark.parametrize(
    "raw, minor", [('{"amount": 12.5}', 1250), ('{"amount": 19.99}', 1999), ('{"amount": 7}', 700)]
)
def test_redeem_an_amount_given_as_a_json_number_exactly(api, voucher, raw, minor):
    # 19.99 is no float: through a float it would have more than two decimals.
    response = api.post(f"/vouchers/{voucher.code}/redemptions", raw=raw)
    transaction = ok(response, 201)["transaction"]
    assert LedgerEntry.objects.get(pk=transaction["id"]).amount_minor == -minor
    assert transaction["amount"] == f"-{minor // 100}.{minor % 100:02d}"


def test_redeem_a_position_by_id_takes_its_remaining_amount(api, dinner_voucher):
    menu = position(dinner_voucher, "m")
    body = ok(
        redeem(api, dinner_voucher.code, {"position_id": menu.pk, "location": "restaurant"}), 201
    )
    assert body["transaction"]["amount"] == "-89.00"
    assert body["transaction"]["position_id"] == menu.pk
    assert body["transaction"]["location"] == "restaurant"
    remaining = {p["subcode"]: p["remaining"] for p in body["voucher"]["positions"]}
    assert remaining == {"a": "12.00", "m": "0.00", "s": "45.00"}
    assert body["voucher"]["balance"] == "57.00"  # 146 - 89


def test_redeem_a_position_by_subcode(api, dinner_voucher):
    body = ok(redeem(api, f"A.{dinner_voucher.display_code}", {"location": "bar"}), 201)
    assert body["transaction"]["amount"] == "-12.00"
    assert body["transaction"]["position_id"] == position(dinner_voucher, "a").pk
    assert position(dinner_voucher, "a").remaining_minor == 0


def test_part_of_a_partial_position(api, dinner_voucher):
    body = ok(redeem(api, f"s.{dinner_voucher.code}", {"amount": "20", "location": "spa"}), 201)
    assert body["transaction"]["amount"] == "-20.00"
    assert position(dinner_voucher, "s").remaining_minor == 2500


@pytest.mark.parametrize(
    "raw",
    [
        '{"amount": "10.001"}',
        '{"amount": 10.001}',
        '{"amount": "0"}',
        '{"amount": 0}',
        '{"amount": "0.00"}',
        '{"amount": "-5.00"}',
        '{"amount": -5}',
        '{"amount": "1000000000.01"}',
        '{"amount": 1000000001}',
        '{"amount": 1e3}',
        '{"amount": 1E+2}',
        '{"amount": "1e3"}',
        '{"amount": NaN}',
        '{"amount": "NaN"}',
        '{"amount": Infinity}',
        '{"amount": -Infinity}',
        '{"amount": "12,50"}',
        '{"amount": true}',
        '{"amount": [1]}',
        '{"amount": {"value": 1}}',
        '{"amount": "5", "position_id": "first"}',
        '{"amount": "5", "reference": 5}',
        '{"amount": "5", "reference": "' + "x" * 101 + '"}',
        '{"amount": "5", "location": "nowhere"}',
        "{}",
        "[1, 2]",
        '{"amount": "5"',
        "not json",
        "",
    ],
)
def test_bad_input_is_a_validation_error_and_changes_nothing(api, voucher, raw):
    refused(
        lambda: api.post(f"/vouchers/{voucher.code}/redemptions", raw=raw),
        voucher.pk,
        422,
        "validation_error",
    )


def test_bad_codes_in_a_redemption_change_nothing(api, voucher):
    refused(lambda: redeem(api, "ab", {"amount": "1"}), voucher.pk, 422, "invalid_code")
    body = refused(
        lambda: redeem(api, typo(voucher.code), {"amount": "1"}), voucher.pk, 422, "invalid_code"
    )
    assert body["reason"] == "check_character"
    refused(
        lambda: redeem(api, unknown_code(voucher), {"amount": "1"}),
        voucher.pk,
        404,
        "voucher_not_found",
    )


def test_an_unpaid_voucher_is_not_redeemable(api, hotel_a):
    unpaid = value_voucher(hotel_a, paid=False)
    refused(lambda: redeem(api, unpaid.code, {"amount": "1"}), unpaid.pk, 409, "voucher_unpaid")


def test_an_expired_voucher_is_not_redeemable(api, voucher):
    Voucher.objects.filter(pk=voucher.pk).update(valid_until=timezone.localdate() - timedelta(1))
    refused(lambda: redeem(api, voucher.code, {"amount": "1"}), voucher.pk, 409, "voucher_expired")
    assert ok(api.get(f"/vouchers/{voucher.code}"))["status"] == "expired"


def test_a_cancelled_voucher_is_not_redeemable(api, voucher):
    services.voucher_cancel(voucher_id=voucher.pk, actor="t", reason="refund")
    refused(
        lambda: redeem(api, voucher.code, {"amount": "1"}), voucher.pk, 409, "voucher_cancelled"
    )


def test_more_than_available_is_insufficient_balance_with_the_available_amount(api, hotel_a):
    # given 20.00 with 5.00 held: 15.00 available
    small = value_voucher(hotel_a, "20.00")
    services.hold_create(voucher_id=small.pk, amount="5.00", reference="B1", actor="t")
    body = refused(
        lambda: redeem(api, small.code, {"amount": "15.01"}), small.pk, 409, "insufficient_balance"
    )
    assert body["available"] == "15.00"
    ok(redeem(api, small.code, {"amount": "15.00"}), 201)


def test_a_hotel_bound_client_redeems_no_voucher_of_another_hotel(
    make_api, hotel_a, hotel_b, voucher
):
    at_b = make_api(hotel=hotel_b)
    refused(
        lambda: redeem(at_b, voucher.code, {"amount": "1"}), voucher.pk, 403, "not_redeemable_here"
    )
    cross = value_voucher(hotel_a, cross_hotel=True)
    ok(redeem(at_b, cross.code, {"amount": "1"}), 201)
    assert LedgerEntry.objects.filter(voucher=cross, kind="redeem").get().hotel_id == hotel_b.pk


def test_a_position_at_the_wrong_location_is_not_redeemable_here(api, dinner_voucher):
    refused(
        lambda: redeem(api, f"a.{dinner_voucher.code}", {"location": "restaurant"}),
        dinner_voucher.pk,
        403,
        "not_redeemable_here",
    )


def test_unknown_positions_are_position_not_found(api, dinner_voucher):
    refused(
        lambda: redeem(api, dinner_voucher.code, {"position_id": 999_999, "location": "bar"}),
        dinner_voucher.pk,
        404,
        "position_not_found",
    )
    refused(
        lambda: redeem(api, f"z.{dinner_voucher.code}", {"location": "bar"}),
        dinner_voucher.pk,
        404,
        "position_not_found",
    )


def test_a_redeemed_position_is_position_redeemed(api, dinner_voucher):
    ok(redeem(api, f"a.{dinner_voucher.code}", {"location": "bar"}), 201)
    refused(
        lambda: redeem(api, f"a.{dinner_voucher.code}", {"location": "bar"}),
        dinner_voucher.pk,
        409,
        "position_redeemed",
    )


def test_part_of_a_whole_position_is_partial_not_allowed(api, dinner_voucher):
    body = refused(
        lambda: redeem(
            api, f"m.{dinner_voucher.code}", {"amount": "50.00", "location": "restaurant"}
        ),
        dinner_voucher.pk,
        409,
        "partial_not_allowed",
    )
    assert body["remaining"] == "89.00"


# --- bindings ------------------------------------------------------------------


def test_a_location_bound_client_redeems_at_its_location_by_default(make_api, bar, voucher):
    pos = make_api(location=bar)
    transaction = ok(redeem(pos, voucher.code, {"amount": "5.00"}), 201)["transaction"]
    assert transaction["location"] == "bar"
    assert LedgerEntry.objects.get(pk=transaction["id"]).location_id == bar.pk
    transaction = ok(redeem(pos, voucher.code, {"amount": "1.00", "location": "hotel-a/bar"}), 201)
    assert transaction["transaction"]["location"] == "bar"


def test_a_location_bound_client_redeems_its_positions_without_naming_the_location(
    make_api, bar, dinner_voucher
):
    pos = make_api(location=bar)
    body = ok(redeem(pos, f"a.{dinner_voucher.code}", {}), 201)
    assert (body["transaction"]["location"], body["transaction"]["amount"]) == ("bar", "-12.00")
    refused(
        lambda: redeem(pos, f"m.{dinner_voucher.code}", {}),
        dinner_voucher.pk,
        403,
        "not_redeemable_here",
    )


def test_a_location_bound_client_redeems_nowhere_else(make_api, bar, restaurant, dinner_voucher):
    pos = make_api(location=bar)
    refused(
        lambda: redeem(pos, f"m.{dinner_voucher.code}", {"location": "restaurant"}),
        dinner_voucher.pk,
        403,
        "not_redeemable_here",
    )


# --- holds -----------------------------------------------------------------------


def hold(api, voucher: Voucher, amount: str = "20.00", **extra):
    return api.post(
        f"/vouchers/{voucher.code}/holds", {"amount": amount, "reference": "B1", **extra}
    )


def test_a_hold_reserves_the_amount_for_900_seconds_by_default(api, voucher):
    before = timezone.now()
    body = ok(hold(api, voucher), 201)
    after = timezone.now()
    assert_hold_shape(body["hold"])
    assert_voucher_shape(body["voucher"])
    expires_at = assert_utc_time(body["hold"]["expires_at"])
    assert before + timedelta(seconds=900) <= expires_at <= after + timedelta(seconds=900)
    assert {k: body["hold"][k] for k in ("code", "amount", "reference", "status")} == {
        "code": voucher.display_code,
        "amount": "20.00",
        "reference": "B1",
        "status": "active",
    }
    assert body["hold"]["captured_amount"] == "0.00"
    assert (body["voucher"]["balance"], body["voucher"]["held"]) == ("100.00", "20.00")
    assert body["voucher"]["available"] == "80.00"
    assert ok(api.get(f"/holds/{body['hold']['id']}")) == body["hold"]


def test_a_hold_for_a_given_time(api, voucher):
    before = timezone.now()
    expires_at = assert_utc_time(ok(hold(api, voucher, expires_in=60), 201)["hold"]["expires_at"])
    assert before + timedelta(seconds=60) <= expires_at <= timezone.now() + timedelta(seconds=60)


@pytest.mark.parametrize(
    "extra", [{"expires_in": 0}, {"expires_in": 604_801}, {"expires_in": "soon"}, {"reference": ""}]
)
def test_bad_holds_are_refused(api, voucher, extra):
    refused(lambda: hold(api, voucher, **extra), voucher.pk, 422, "validation_error")


def test_holds_on_positions_are_refused(api, dinner_voucher):
    for code in (dinner_voucher.code, f"s.{dinner_voucher.code}"):
        refused(
            lambda code=code: api.post(
                f"/vouchers/{code}/holds", {"amount": "1", "reference": "B"}
            ),
            dinner_voucher.pk,
            422,
            "validation_error",
        )


def test_a_hold_above_the_available_amount_is_insufficient_balance(api, voucher):
    ok(hold(api, voucher, "60.00"), 201)
    body = refused(lambda: hold(api, voucher, "40.01"), voucher.pk, 409, "insufficient_balance")
    assert body["available"] == "40.00"


def test_a_hold_past_its_time_reserves_nothing_before_the_sweep(api, voucher):
    hold_id = ok(hold(api, voucher, "20.00"), 201)["hold"]["id"]
    Hold.objects.filter(pk=hold_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert ok(api.get(f"/holds/{hold_id}"))["status"] == "expired"
    body = ok(api.get(f"/vouchers/{voucher.code}"))
    assert (body["balance"], body["held"], body["available"]) == ("100.00", "0.00", "100.00")
    assert Hold.objects.get(pk=hold_id).status == "active"  # not swept by the reads
    ok(redeem(api, voucher.code, {"amount": "100.00"}), 201)


def test_capture_part_of_a_hold_releases_the_rest(api, voucher):
    hold_id = ok(hold(api, voucher, "20.00"), 201)["hold"]["id"]
    body = ok(api.post(f"/holds/{hold_id}/capture", {"amount": "5.00"}))
    assert_transaction_shape(body["transaction"])
    assert_hold_shape(body["hold"])
    assert (body["transaction"]["type"], body["transaction"]["amount"]) == ("capture", "-5.00")
    assert (body["transaction"]["hold_id"], body["transaction"]["reference"]) == (hold_id, "B1")
    assert (body["hold"]["status"], body["hold"]["captured_amount"]) == ("captured", "5.00")
    voucher_body = body["voucher"]
    assert (voucher_body["balance"], voucher_body["held"], voucher_body["available"]) == (
        "95.00",
        "0.00",
        "95.00",
    )
    assert Voucher.objects.get(pk=voucher.pk).held_minor == 0


def test_capture_takes_the_whole_hold_by_default(api, voucher):
    hold_id = ok(hold(api, voucher, "20.00"), 201)["hold"]["id"]
    body = ok(api.post(f"/holds/{hold_id}/capture"))
    assert (body["transaction"]["amount"], body["hold"]["captured_amount"]) == ("-20.00", "20.00")
    assert body["voucher"]["balance"] == "80.00"


def test_release_frees_the_amount(api, voucher):
    hold_id = ok(hold(api, voucher, "20.00"), 201)["hold"]["id"]
    entries = LedgerEntry.objects.filter(voucher=voucher).count()
    body = ok(api.post(f"/holds/{hold_id}/release"))
    assert_hold_shape(body["hold"])
    assert (body["hold"]["status"], body["voucher"]["held"]) == ("released", "0.00")
    assert body["voucher"]["available"] == body["voucher"]["balance"] == "100.00"
    assert LedgerEntry.objects.filter(voucher=voucher).count() == entries


def test_unknown_holds_are_hold_not_found(api, voucher):
    problem(api.get("/holds/999999"), 404, "hold_not_found")
    refused(lambda: api.post("/holds/999999/capture"), voucher.pk, 404, "hold_not_found")
    refused(lambda: api.post("/holds/999999/release"), voucher.pk, 404, "hold_not_found")


def test_another_organisations_hold_is_hold_not_found(api, foreign_voucher):
    foreign = services.hold_create(
        voucher_id=foreign_voucher.pk, amount="10", reference="B", actor="t"
    )
    problem(api.get(f"/holds/{foreign.pk}"), 404, "hold_not_found")
    for action in ("capture", "release"):
        refused(
            lambda action=action: api.post(f"/holds/{foreign.pk}/{action}"),
            foreign_voucher.pk,
            404,
            "hold_not_found",
        )


def test_a_closed_hold_is_not_active(api, voucher):
    released = ok(hold(api, voucher, "10.00"), 201)["hold"]["id"]
    ok(api.post(f"/holds/{released}/release"))
    body = refused(
        lambda: api.post(f"/holds/{released}/capture"), voucher.pk, 409, "hold_not_active"
    )
    assert body["hold_status"] == "released"
    captured = ok(hold(api, voucher, "10.00"), 201)["hold"]["id"]
    ok(api.post(f"/holds/{captured}/capture"))
    refused(lambda: api.post(f"/holds/{captured}/release"), voucher.pk, 409, "hold_not_active")
    refused(lambda: api.post(f"/holds/{captured}/capture"), voucher.pk, 409, "hold_not_active")


def test_a_hold_past_its_time_cannot_be_captured(api, voucher):
    hold_id = ok(hold(api, voucher, "10.00"), 201)["hold"]["id"]
    Hold.objects.filter(pk=hold_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    refused(lambda: api.post(f"/holds/{hold_id}/capture"), voucher.pk, 409, "hold_expired")


def test_a_capture_above_the_hold_is_refused(api, voucher):
    hold_id = ok(hold(api, voucher, "20.00"), 201)["hold"]["id"]
    body = refused(
        lambda: api.post(f"/holds/{hold_id}/capture", {"amount": "20.01"}),
        voucher.pk,
        409,
        "amount_exceeds_hold",
    )
    assert body["held"] == "20.00"
    for amount in ("0", "-1", "1.001", "abc"):
        refused(
            lambda amount=amount: api.post(f"/holds/{hold_id}/capture", {"amount": amount}),
            voucher.pk,
            422,
            "validation_error",
        )


def test_a_hold_of_one_hotel_is_not_closed_by_another(make_api, hotel_a, hotel_b):
    cross = value_voucher(hotel_a, cross_hotel=True)
    hold_id = ok(hold(make_api(hotel=hotel_a), cross), 201)["hold"]["id"]
    at_b = make_api(hotel=hotel_b)
    for action in ("capture", "release"):
        refused(
            lambda action=action: at_b.post(f"/holds/{hold_id}/{action}"),
            cross.pk,
            403,
            "not_redeemable_here",
        )
    ok(at_b.get(f"/holds/{hold_id}"))


# --- reversal ------------------------------------------------------------------


def test_a_redemption_is_reversed_once(api, voucher):
    redeemed = ok(redeem(api, voucher.code, {"amount": "30.00", "reference": "R1"}), 201)
    transaction_id = redeemed["transaction"]["id"]
    body = ok(api.post(f"/transactions/{transaction_id}/reversal", {"reason": "wrong bill"}), 201)
    assert_transaction_shape(body["transaction"])
    assert (body["transaction"]["type"], body["transaction"]["amount"]) == ("reversal", "30.00")
    assert (body["transaction"]["balance_after"], body["voucher"]["balance"]) == ("100.00",) * 2
    assert LedgerEntry.objects.get(pk=body["transaction"]["id"]).reverses_id == transaction_id
    refused(
        lambda: api.post(f"/transactions/{transaction_id}/reversal"),
        voucher.pk,
        409,
        "already_reversed",
    )


def test_a_capture_is_reversible(api, voucher):
    hold_id = ok(hold(api, voucher, "20.00"), 201)["hold"]["id"]
    capture_id = ok(api.post(f"/holds/{hold_id}/capture"))["transaction"]["id"]
    body = ok(api.post(f"/transactions/{capture_id}/reversal"), 201)
    assert (body["transaction"]["amount"], body["voucher"]["balance"]) == ("20.00", "100.00")


def test_only_redemptions_and_captures_are_reversible(api, voucher):
    issue = LedgerEntry.objects.get(voucher=voucher, kind="issue")
    refused(
        lambda: api.post(f"/transactions/{issue.pk}/reversal"), voucher.pk, 409, "not_reversible"
    )


def test_unknown_and_foreign_transactions_are_not_found(api, voucher, foreign_voucher):
    foreign = services.voucher_redeem(voucher_id=foreign_voucher.pk, amount="1", actor="t")
    refused(
        lambda: api.post(f"/transactions/{foreign.pk}/reversal"),
        [voucher.pk, foreign_voucher.pk],
        404,
        "not_found",
    )
    refused(lambda: api.post("/transactions/999999/reversal"), voucher.pk, 404, "not_found")


def test_a_transaction_of_one_hotel_is_not_reversed_by_another(make_api, hotel_a, hotel_b):
    cross = value_voucher(hotel_a, cross_hotel=True)
    redeemed = ok(redeem(make_api(hotel=hotel_a), cross.code, {"amount": "5.00"}), 201)
    transaction_id = redeemed["transaction"]["id"]
    at_b = make_api(hotel=hotel_b)
    refused(
        lambda: at_b.post(f"/transactions/{transaction_id}/reversal"),
        cross.pk,
        403,
        "not_redeemable_here",
    )


def test_unknown_paths_are_not_found(api):
    for path in ("/nothing", "/vouchers/ABCD/nothing", "/transactions/1"):
        problem(api.get(path), 404, "not_found")


# --- issue ---------------------------------------------------------------------


def test_issue_a_plain_value_voucher(api, hotel_a):
    body = ok(
        api.post(
            "/vouchers",
            {
                "value": "50.00",
                "currency": "EUR",
                "hotel": "hotel-a",
                "paid": True,
                "recipient": {"name": "Anna", "email": "anna@example.com"},
                "buyer": {"name": "Ben", "email": "ben@example.com"},
                "reference": "order-7",
            },
        ),
        201,
    )
    assert_voucher_shape(body)
    assert (body["status"], body["type"], body["product"]) == ("active", "value", None)
    assert (body["original_value"], body["balance"], body["available"]) == ("50.00",) * 3
    assert (body["hotel"]["slug"], body["recipient_name"]) == ("hotel-a", "Anna")
    stored = Voucher.objects.get(code=body["code"].replace("-", ""))
    assert (stored.recipient_email, stored.buyer_email, stored.reference) == (
        "anna@example.com",
        "ben@example.com",
        "order-7",
    )
    assert ok(api.get(f"/vouchers/{body['code']}")) == body


def test_an_unpaid_voucher_is_issued_unpaid(make_api, hotel_a):
    at_a = make_api(hotel=hotel_a)
    body = ok(at_a.post("/vouchers", {"value": 25, "currency": "EUR"}), 201)
    assert (body["status"], body["paid_at"], body["hotel"]["slug"]) == ("unpaid", None, "hotel-a")
    assert body["original_value"] == "25.00"


def test_issue_from_a_product_with_a_value_range(api, org, hotel_a):
    # like the demo's Wertgutschein: 25.00 to 1000.00, cross-hotel
    product = VoucherProduct.objects.create(
        organisation=org,
        hotel=hotel_a,
        name="Wertgutschein",
        type="value",
        value_min_minor=2500,
        value_max_minor=100000,
        cross_hotel=True,
    )
    body = ok(
        api.post("/vouchers", {"product_id": product.pk, "value": "75.00", "paid": True}), 201
    )
    assert body["product"] == {"id": product.pk, "name": "Wertgutschein"}
    assert (body["cross_hotel"], body["original_value"], body["hotel"]["slug"]) == (
        True,
        "75.00",
        "hotel-a",
    )
    count = Voucher.objects.count()
    for value in ("24.99", "1000.01", None):
        problem(
            api.post("/vouchers", {"product_id": product.pk, "value": value}),
            422,
            "validation_error",
        )
    assert Voucher.objects.count() == count


def test_issue_from_a_product_with_a_fixed_value(api, org, hotel_a):
    product = VoucherProduct.objects.create(
        organisation=org, hotel=hotel_a, name="Fixed", type="value", value_fixed_minor=4000
    )
    assert ok(api.post("/vouchers", {"product_id": product.pk}), 201)["original_value"] == "40.00"
    problem(
        api.post("/vouchers", {"product_id": product.pk, "value": "41.00"}), 422, "validation_error"
    )


def test_issue_from_a_product_with_positions(api, dinner_spa):
    body = ok(api.post("/vouchers", {"product_id": dinner_spa.pk, "paid": True}), 201)
    assert (body["type"], body["original_value"]) == ("services", "146.00")
    assert [(p["subcode"], p["amount"], p["locations"]) for p in body["positions"]] == [
        ("a", "12.00", ["bar"]),
        ("m", "89.00", ["restaurant"]),
        ("s", "45.00", ["spa"]),
    ]


def test_issue_with_a_manual_code_and_validity(api, hotel_a):
    valid_until = (timezone.localdate() + timedelta(days=30)).isoformat()
    body = ok(
        api.post(
            "/vouchers",
            {
                "value": "10",
                "currency": "EUR",
                "hotel": "hotel-a",
                "code": "sommer 2026",
                "valid_until": valid_until,
            },
        ),
        201,
    )
    assert (body["code"], body["valid_until"]) == ("SOMMER2026", valid_until)


@pytest.mark.parametrize(
    "extra",
    [
        {"code": "SOMMER-2026"},  # the manual code exists already
        {"valid_until": "2000-01-01"},
        {"buyer": {"email": "not-an-address"}},
        {"recipient": {"email": "anna@"}},
        {"value": "10.001"},
        {"value": "0"},
        {"currency": "XYZ"},
        {"hotel": "nowhere"},
        {"product_id": 999_999},
        {"paid": "perhaps"},
        {"value": None},
    ],
)
def test_issue_refuses_bad_input_and_issues_nothing(api, hotel_a, extra):
    value_voucher(hotel_a, code="sommer2026")
    counts = (Voucher.objects.count(), LedgerEntry.objects.count())
    body = {"value": "10.00", "currency": "EUR", "hotel": "hotel-a", **extra}
    problem(api.post("/vouchers", body), 422, "validation_error")
    assert (Voucher.objects.count(), LedgerEntry.objects.count()) == counts


def test_issue_of_another_organisations_product_is_refused(api, hotel_a):
    other = factories.organisation()
    foreign = VoucherProduct.objects.create(
        organisation=other, hotel=factories.hotel(other), name="F", type="value"
    )
    problem(
        api.post("/vouchers", {"product_id": foreign.pk, "value": "10"}), 422, "validation_error"
    )
    assert Voucher.objects.count() == 0


def test_a_hotel_bound_client_issues_for_its_hotel_only(make_api, hotel_a, hotel_b):
    at_a = make_api(hotel=hotel_a)
    body = {"value": "10", "currency": "EUR", "hotel": "hotel-b"}
    problem(at_a.post("/vouchers", body), 403, "forbidden")
    assert Voucher.objects.count() == 0


# --- sync feed -----------------------------------------------------------------


def feed(api, **params):
    return ok(api.get("/vouchers", params))


def walk(api, limit: int, **params) -> tuple[list[str], int]:
    """Every code of the feed, page by page; and the number of pages."""
    codes, pages, cursor = [], 0, None
    while True:
        page = feed(api, limit=limit, **params, **({"cursor": cursor} if cursor else {}))
        pages += 1
        assert len(page["results"]) <= limit
        for item in page["results"]:
            assert_voucher_shape(item)
        codes += [item["code"] for item in page["results"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return codes, pages
        assert pages < 50


def test_the_feed_walks_every_voucher_once_oldest_change_first(api, hotel_a):
    vouchers = [value_voucher(hotel_a, f"{10 + n}.00") for n in range(5)]
    # the first voucher changes last: it moves to the end
    services.voucher_redeem(voucher_id=vouchers[0].pk, amount="1", actor="t")
    expected = [v.display_code for v in [*vouchers[1:], vouchers[0]]]
    codes, pages = walk(api, limit=2)
    assert codes == expected
    assert pages == 3
    codes, pages = walk(api, limit=5)
    assert (codes, pages) == (expected, 1)
    page = feed(api, limit=500)
    assert page["next_cursor"] is None
    assert [item["code"] for item in page["results"]] == expected
    redeemed = page["results"][-1]
    assert (redeemed["balance"], redeemed["status"]) == ("9.00", "partially_redeemed")


def test_the_feed_from_a_time(api, hotel_a):
    old, middle, new = (value_voucher(hotel_a) for _ in range(3))
    for v, moment in ((old, "2020-01-01"), (middle, "2021-06-01"), (new, "2022-06-01")):
        Voucher.objects.filter(pk=v.pk).update(
            changed_at=datetime.fromisoformat(moment).replace(tzinfo=UTC)
        )
    page = feed(api, changed_since="2021-06-01T00:00:00+00:00")
    assert [item["code"] for item in page["results"]] == [middle.display_code, new.display_code]
    # 02:00 in Berlin is midnight UTC
    page = feed(api, changed_since="2021-06-01T02:00:00+02:00")
    assert len(page["results"]) == 2
    page = feed(api, changed_since="2021-06-01T00:00:01Z", limit=1)
    assert [item["code"] for item in page["results"]] == [new.display_code]


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": "WzEsMl0"},  # base64 of [1,2]: no time
        {"cursor": "e30"},  # base64 of {}
        {"limit": 0},
        {"limit": 501},
        {"limit": "many"},
        {"changed_since": "yesterday"},
    ],
)
def test_the_feed_refuses_bad_parameters(api, voucher, params):
    problem(api.get("/vouchers", params), 422, "validation_error")


def test_a_hotel_bound_client_feeds_its_own_and_cross_hotel_vouchers(
    make_api, hotel_a, hotel_b, foreign_voucher
):
    own = value_voucher(hotel_b)
    cross = value_voucher(hotel_a, cross_hotel=True)
    value_voucher(hotel_a)  # not redeemable at hotel B
    codes, _ = walk(make_api(hotel=hotel_b), limit=500)
    assert codes == [own.display_code, cross.display_code]
    codes, _ = walk(make_api(), limit=500)
    assert len(codes) == 3 and foreign_voucher.display_code not in codes


# --- batch ---------------------------------------------------------------------


def item(code: str, key: str, amount: str | None = "10.00", **extra) -> dict:
    moment = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    return {
        "code": code,
        "amount": amount,
        "reference": f"ref-{key}",
        "idempotency_key": key,
        "occurred_at": moment.isoformat(),
        **extra,
    }


def test_each_batch_item_succeeds_or_fails_alone(api, voucher, dinner_voucher):
    occurred_at = datetime(2026, 1, 2, 10, 30, tzinfo=UTC)
    items = [
        item(voucher.display_code, "k1", occurred_at=occurred_at.isoformat()),
        item(unknown_code(voucher, dinner_voucher), "k2"),
        item(voucher.code.lower(), "k3", "500.00"),
        item(voucher.code, "k4", "1.001"),
        item(f"a.{dinner_voucher.code}", "k5", None, location="bar"),
        item(typo(voucher.code), "k6"),
    ]
    results = ok(api.post("/redemptions/batch", {"items": items}))["results"]
    assert [(r["index"], r["status"]) for r in results] == [
        (0, 201),
        (1, 404),
        (2, 409),
        (3, 422),
        (4, 201),
        (5, 422),
    ]
    assert_transaction_shape(results[0]["transaction"])
    assert (results[0]["transaction"]["amount"], results[0]["transaction"]["reference"]) == (
        "-10.00",
        "ref-k1",
    )
    assert results[4]["transaction"]["location"] == "bar"
    codes = [r["error"]["code"] for r in results if "error" in r]
    assert codes == [
        "voucher_not_found",
        "insufficient_balance",
        "validation_error",
        "invalid_code",
    ]
    for result in results:
        if result["status"] >= 400:
            assert {"type", "title", "status", "code", "detail"} <= set(result["error"])
            assert result["error"]["status"] == result["status"]
            assert "transaction" not in result
    entry = LedgerEntry.objects.get(pk=results[0]["transaction"]["id"])
    assert (entry.amount_minor, entry.occurred_at) == (-1000, occurred_at)
    assert Voucher.objects.get(pk=voucher.pk).balance_minor == 9000


def test_a_batch_item_with_a_used_key_replays_its_transaction(api, voucher):
    items = [item(voucher.code, "k1", "10.00"), item(voucher.code, "k2", "5.00")]
    first = ok(api.post("/redemptions/batch", {"items": items}))["results"]
    entries = LedgerEntry.objects.count()
    again = ok(api.post("/redemptions/batch", {"items": [items[1], items[0]]}))["results"]
    assert [r["transaction"]["id"] for r in again] == [
        first[1]["transaction"]["id"],
        first[0]["transaction"]["id"],
    ]
    assert LedgerEntry.objects.count() == entries
    assert Voucher.objects.get(pk=voucher.pk).balance_minor == 8500
    # a key used before with another item fails that item only
    reused = {**items[0], "amount": "11.00"}
    fresh = item(voucher.code, "k3", "1.00")
    results = ok(api.post("/redemptions/batch", {"items": [fresh, reused]}))["results"]
    assert [r["status"] for r in results] == [201, 422]
    assert results[1]["error"]["code"] == "idempotency_key_reused"
    assert LedgerEntry.objects.count() == entries + 1
    assert Voucher.objects.get(pk=voucher.pk).balance_minor == 8400


def test_a_batch_item_from_the_future_is_refused(api, voucher):
    future = (timezone.now() + timedelta(hours=1)).isoformat()
    before = snapshot(voucher.pk)
    results = ok(
        api.post("/redemptions/batch", {"items": [item(voucher.code, "k1", occurred_at=future)]})
    )["results"]
    assert (results[0]["status"], results[0]["error"]["code"]) == (422, "validation_error")
    after = snapshot(voucher.pk)
    assert {**after, "idempotency": None} == {**before, "idempotency": None}


@pytest.mark.parametrize(
    "items",
    [
        [item("ABCD", f"k{n}") for n in range(1001)],
        [{"code": "ABCD", "amount": "1"}],  # no key, no time
        [item("ABCD", "k1", occurred_at="yesterday")],
        [item("ABCD", "x" * 256)],
        "none",
    ],
)
def test_a_bad_batch_is_refused_whole(api, voucher, items):
    refused(
        lambda: api.post("/redemptions/batch", {"items": items}),
        voucher.pk,
        422,
        "validation_error",
    )


def test_a_batch_of_1000_items_is_accepted(api, voucher):
    items = [item(voucher.code, f"k{n}", "0.01") for n in range(1000)]
    results = ok(api.post("/redemptions/batch", {"items": items}))["results"]
    assert len(results) == 1000 and {r["status"] for r in results} == {201}
    assert Voucher.objects.get(pk=voucher.pk).balance_minor == 10000 - 1000


# --- scopes ----------------------------------------------------------------------

ENDPOINTS = [
    ("vouchers:read", "get", "/vouchers/{code}", None),
    ("vouchers:read", "get", "/holds/{hold}", None),
    ("vouchers:redeem", "post", "/vouchers/{code}/redemptions", {"amount": "1.00"}),
    ("vouchers:redeem", "post", "/vouchers/{code}/holds", {"amount": "1.00", "reference": "B"}),
    ("vouchers:redeem", "post", "/holds/{hold}/capture", {}),
    ("vouchers:redeem", "post", "/holds/{hold}/release", {}),
    ("vouchers:redeem", "post", "/transactions/{transaction}/reversal", {}),
    ("vouchers:redeem", "post", "/redemptions/batch", {"items": [item("{code}", "k")]}),
    ("vouchers:issue", "post", "/vouchers", {"value": "10", "currency": "EUR", "hotel": "hotel-a"}),
    ("sync", "get", "/vouchers", None),
]


@pytest.mark.parametrize("scope, method, path, body", ENDPOINTS)
def test_every_endpoint_needs_its_scope(make_api, voucher, scope, method, path, body):
    held = services.hold_create(voucher_id=voucher.pk, amount="1", reference="B", actor="t")
    redeemed = services.voucher_redeem(voucher_id=voucher.pk, amount="1", actor="t")
    names = {"code": voucher.code, "hold": held.pk, "transaction": redeemed.pk}
    path = path.format(**names)
    if body is not None:
        body = json.loads(json.dumps(body).replace("{code}", voucher.code))
    without = make_api(scopes=[other for other in ALL_SCOPES if other != scope])
    vouchers = Voucher.objects.count()
    call = (lambda: without.get(path)) if method == "get" else (lambda: without.post(path, body))
    response_body = refused(call, voucher.pk, 403, "forbidden")
    assert response_body["scope"] == scope
    assert Voucher.objects.count() == vouchers
    # and with the scope alone it works
    only = make_api(scopes=[scope])
    response = only.get(path) if method == "get" else only.post(path, body)
    assert response.status_code in (200, 201), response.content


# --- authentication on voucher endpoints --------------------------------------------


def test_a_revoked_client_changes_nothing(make_api, voucher):
    pos = make_api()
    api_client_revoke(client_id=pos.model.pk, actor="t")
    body = refused(
        lambda: redeem(pos, voucher.code, {"amount": "1"}), voucher.pk, 401, "unauthorized"
    )
    assert body["status"] == 401


# --- unknown-code rate limit -----------------------------------------------------

WINDOW = 60
NOW = 1_800_000_000 // WINDOW * WINDOW + 15  # 15 s into a window: 45 s left


@pytest.fixture
def limited(settings, monkeypatch) -> SimpleNamespace:
    """At most 3 misses a minute per client, 5 per address; a clock that stands still
    until a test moves it (`limited.now`)."""
    settings.API_MISS_WINDOW_SECONDS = WINDOW
    settings.API_MISS_LIMIT_PER_CLIENT = 3
    settings.API_MISS_LIMIT_PER_ADDRESS = 5
    clock = SimpleNamespace(now=NOW)
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: clock.now))
    return clock


def test_misses_block_the_client_until_the_window_ends(limited, make_api, voucher):
    pos = make_api(remote_addr="10.0.0.1")
    # known codes are no misses
    for _ in range(5):
        ok(pos.get(f"/vouchers/{voucher.code}"))
    problem(pos.get(f"/vouchers/{unknown_code(voucher)}"), 404, "voucher_not_found")
    problem(pos.get(f"/vouchers/{typo(voucher.code)}"), 422, "invalid_code")  # a miss too
    problem(redeem(pos, unknown_code(voucher), {"amount": "1"}), 404, "voucher_not_found")
    # the third miss reached the limit: now even a valid code is refused
    response = pos.get(f"/vouchers/{voucher.code}")
    body = problem(response, 429, "rate_limited")
    assert response["Retry-After"] == "45" and body["retry_after"] == 45
    refused(lambda: redeem(pos, voucher.code, {"amount": "1"}), voucher.pk, 429, "rate_limited")
    refused(lambda: hold(pos, voucher), voucher.pk, 429, "rate_limited")
    # another client from another address is not blocked
    ok(make_api(remote_addr="10.0.0.2").get(f"/vouchers/{voucher.code}"))
    # the next window starts afresh
    limited.now = NOW + 45
    ok(pos.get(f"/vouchers/{voucher.code}"))


def test_misses_block_the_address_for_every_client(limited, make_api, voucher):
    first, second = make_api(remote_addr="10.0.0.1"), make_api(remote_addr="10.0.0.1")
    for pos in (first, first, second, second):  # 4 misses, none blocks a client alone
        problem(pos.get(f"/vouchers/{unknown_code(voucher)}"), 404, "voucher_not_found")
    problem(
        make_api(remote_addr="10.0.0.1").get(f"/vouchers/{unknown_code(voucher)}"),
        404,
        "voucher_not_found",
    )
    problem(make_api(remote_addr="10.0.0.1").get(f"/vouchers/{voucher.code}"), 429, "rate_limited")
    ok(make_api(remote_addr="10.0.0.9").get(f"/vouchers/{voucher.code}"))


def test_batch_misses_count_and_a_blocked_client_is_refused_per_item(limited, api, voucher):
    items = [item(unknown_code(voucher), f"k{n}") for n in range(3)]
    items.append(item(voucher.code, "k3"))
    results = ok(api.post("/redemptions/batch", {"items": items}))["results"]
    assert [r["status"] for r in results] == [404, 404, 404, 429]
    assert results[3]["error"]["retry_after"] == 45
    assert RateLimitCounter.objects.get(key=f"miss:client:{api.model.pk}").count == 3
    assert Voucher.objects.get(pk=voucher.pk).balance_minor == 10000


def test_the_forbidden_and_unauthorised_do_not_count_misses(limited, make_api, voucher):
    reader = make_api(scopes=["sync"])
    for _ in range(5):
        problem(reader.get(f"/vouchers/{unknown_code(voucher)}"), 403, "forbidden")
    assert not RateLimitCounter.objects.exists()


def test_value_and_currency_alone_issue_at_the_organisations_only_hotel(api, hotel_a):
    # Given an organisation with one hotel, when an unbound client sends value and currency alone
    body = ok(api.post("/vouchers", {"value": "30.00", "currency": "EUR"}), 201)

    # Then the voucher is issued by that hotel
    assert body["hotel"]["slug"] == "hotel-a"


def test_with_several_hotels_the_issuing_hotel_must_be_named(api, hotel_a, hotel_b):
    # Given two hotels, when the hotel is not named, then 422 and nothing is issued
    before = Voucher.objects.count()
    body = problem(
        api.post("/vouchers", {"value": "30.00", "currency": "EUR"}), 422, "validation_error"
    )
    assert body["field"] == "hotel"
    assert Voucher.objects.count() == before


def test_a_method_a_path_lacks_is_a_problem_too(api, hotel_a):
    # Given a voucher path, when it is sent DELETE
    voucher = value_voucher(hotel_a, "10.00")
    response = api.http.delete(
        f"/api/v1/vouchers/{voucher.display_code}",
        headers={"Authorization": f"Bearer {api.token}"},
    )

    # Then the answer is problem JSON 405 with the allowed methods, and nothing changed
    body = problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"] and "GET" in body["detail"]
    assert Voucher.objects.get(pk=voucher.pk).balance_minor == 1000


def test_a_database_that_is_busy_is_a_503_problem_not_a_500(api, hotel_a, monkeypatch):
    # Given a voucher, and a database that answers "locked" (as SQLite does past its busy
    # timeout; the only fault injected in these tests, since it cannot be caused on demand)
    from django.db import OperationalError

    voucher = value_voucher(hotel_a, "10.00")

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(services, "voucher_redeem", locked)

    # When a redemption is sent
    response = api.post(f"/vouchers/{voucher.display_code}/redemptions", {"amount": "1.00"})

    # Then it is 503 problem JSON with Retry-After, and nothing was written
    body = problem(response, 503, "service_unavailable")
    assert response["Retry-After"] == "1" and "nothing was changed" in body["detail"]
    assert Voucher.objects.get(pk=voucher.pk).balance_minor == 1000


def test_times_with_offsets_a_database_refuses_are_read_in_utc(api, make_api, hotel_a):
    # Given a voucher, and times with an offset beyond PostgreSQL's ±15:59 (schemathesis found it)
    voucher = value_voucher(hotel_a, "20.00")
    sync = make_api(scopes=["sync"])

    # When the sync feed is asked from year 13 at -16:26, and a batch item occurred at +16:30
    page = ok(sync.get("/vouchers", {"changed_since": "0013-09-30T11:07:53.55-16:26"}))
    batch = ok(
        api.post(
            "/redemptions/batch",
            {
                "items": [
                    {
                        "code": voucher.display_code,
                        "amount": "1.00",
                        "reference": "offline",
                        "idempotency_key": "offset-1",
                        "occurred_at": "2026-01-02T03:04:05+16:30",
                    }
                ]
            },
        )
    )

    # Then both are answered, the time stored in UTC
    assert voucher.display_code in [v["code"] for v in page["results"]]
    assert batch["results"][0]["status"] == 201
    entry = LedgerEntry.objects.get(pk=batch["results"][0]["transaction"]["id"])
    assert entry.occurred_at == datetime(2026, 1, 1, 10, 34, 5, tzinfo=UTC)
