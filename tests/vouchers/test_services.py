"""The ledger services: one test per rule and per refusal.

Every refusal checks that nothing changed: balance, holds, entries, positions,
audit log and idempotency records (factories.snapshot)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from hotel_vouchers.core import errors
from hotel_vouchers.vouchers import services
from hotel_vouchers.vouchers.models import AppendOnlyError, Hold, LedgerEntry, Voucher
from hotel_vouchers.vouchers.selectors import voucher_get_by_code, voucher_ledger_sum
from tests import factories
from tests.factories import snapshot, value_voucher


def assert_consistent(voucher_id: int) -> Voucher:
    voucher = Voucher.objects.get(pk=voucher_id)
    assert voucher.balance_minor == voucher_ledger_sum(voucher_id=voucher_id)
    active = Hold.objects.filter(voucher_id=voucher_id, status="active")
    assert voucher.held_minor == sum(h.amount_minor for h in active)
    assert voucher.balance_minor >= voucher.held_minor >= 0
    return voucher


def refused(error_type, call, voucher_id):
    """Given a voucher, when `call` is refused, then nothing changed."""
    before = snapshot(voucher_id)
    with pytest.raises(error_type) as raised:
        call()
    assert snapshot(voucher_id) == before
    return raised.value


# --- issue -------------------------------------------------------------------


def test_issue_writes_one_issue_entry_and_the_cached_balance(hotel_a):
    voucher = value_voucher(hotel_a, "150.00")
    entries = list(LedgerEntry.objects.filter(voucher=voucher))
    assert [(e.kind, e.amount_minor, e.balance_after_minor) for e in entries] == [
        ("issue", 15000, 15000)
    ]
    assert voucher.status == "active"
    assert voucher.valid_until == date(timezone.localdate().year + 3, 12, 31)
    assert_consistent(voucher.pk)


def test_unpaid_voucher_becomes_active_when_marked_paid(hotel_a):
    voucher = value_voucher(hotel_a, paid=False)
    assert voucher.status == "unpaid"
    services.voucher_mark_paid(voucher_id=voucher.pk, actor="test")
    voucher.refresh_from_db()
    paid_at = voucher.paid_at
    assert voucher.status == "active"
    services.voucher_mark_paid(voucher_id=voucher.pk, actor="test")
    voucher.refresh_from_db()
    assert voucher.paid_at == paid_at


def test_issue_with_positions_copies_them(org, hotel_a, dinner_spa, spa):
    voucher = services.voucher_issue(
        organisation=org, hotel=hotel_a, product=dinner_spa, paid=True, actor="test"
    )
    positions = list(voucher.positions.values_list("subcode", "amount_minor", "remaining_minor"))
    assert positions == [("a", 1200, 1200), ("m", 8900, 8900), ("s", 4500, 4500)]
    assert voucher.original_value_minor == voucher.balance_minor == 14600
    assert list(voucher.positions.get(subcode="s").locations.all()) == [spa]
    assert_consistent(voucher.pk)


def test_manual_code_is_unique_per_organisation(org, hotel_a):
    value_voucher(hotel_a, code="sommer-2026")
    count = Voucher.objects.count()
    with pytest.raises(errors.DuplicateCode) as error:
        value_voucher(hotel_a, code="SOMMER 2026")
    assert error.value.code == "validation_error"
    assert Voucher.objects.count() == count
    other = factories.hotel(factories.organisation())
    assert value_voucher(other, code="SOMMER2026").code == "SOMMER2026"


def test_the_database_refuses_a_duplicate_code_too(org, hotel_a):
    from django.db import IntegrityError, transaction

    voucher = value_voucher(hotel_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.create(
            organisation=org,
            hotel=hotel_a,
            code=voucher.code,
            currency="EUR",
            original_value_minor=100,
            balance_minor=100,
        )


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"value": "10.001"}, "value"),
        ({"value": "0"}, "value"),
        ({"value": "-5"}, "value"),
        ({"value": "1000000001"}, "value"),
        ({"value": None}, "value"),
        ({"value": "10", "currency": "XYZ"}, "currency"),
        ({"value": "10", "code": "AB"}, "code"),
        ({"value": "10", "valid_until": date(2000, 1, 1)}, "valid_until"),
        ({"value": "10", "reference": "x" * 101}, "reference"),
    ],
)
def test_issue_refuses_bad_input_and_writes_nothing(org, hotel_a, kwargs, field):
    counts = (Voucher.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(errors.ValidationError) as error:
        services.voucher_issue(organisation=org, hotel=hotel_a, actor="test", **kwargs)
    assert error.value.field == field
    assert (Voucher.objects.count(), LedgerEntry.objects.count()) == counts


def test_issue_refuses_a_hotel_of_another_organisation(org):
    foreign = factories.hotel(factories.organisation())
    with pytest.raises(errors.ValidationError):
        services.voucher_issue(organisation=org, hotel=foreign, value="10", actor="test")
    assert Voucher.objects.count() == 0


def test_issue_within_product_bounds(org, hotel_a):
    from hotel_vouchers.catalog.models import VoucherProduct

    product = VoucherProduct.objects.create(
        organisation=org,
        hotel=hotel_a,
        name="Wert",
        type="value",
        value_min_minor=2500,
        value_max_minor=100000,
    )
    for value in ("24.99", "1000.01"):
        with pytest.raises(errors.ValidationError):
            services.voucher_issue(
                organisation=org, hotel=hotel_a, product=product, value=value, actor="t"
            )
    assert Voucher.objects.count() == 0
    voucher = services.voucher_issue(
        organisation=org, hotel=hotel_a, product=product, value="25", actor="t"
    )
    assert voucher.original_value_minor == 2500
    with pytest.raises(errors.CurrencyMismatch):
        services.voucher_issue(
            organisation=org,
            hotel=hotel_a,
            product=product,
            value="25",
            currency="CHF",
            actor="t",
        )


def test_issue_with_the_same_idempotency_key_issues_once(org, hotel_a):
    first = value_voucher(hotel_a, idempotency_key="order-1")
    again = value_voucher(hotel_a, idempotency_key="order-1")
    assert again.pk == first.pk
    assert Voucher.objects.count() == 1
    with pytest.raises(errors.IdempotencyKeyReused):
        value_voucher(hotel_a, "99.00", idempotency_key="order-1")
    assert Voucher.objects.count() == 1


# --- redeem ------------------------------------------------------------------


def test_redeem_an_amount(hotel_a):
    voucher = value_voucher(hotel_a, "100.00")
    entry = services.voucher_redeem(
        voucher_id=voucher.pk, amount=Decimal("30.50"), actor="test", reference="R1"
    )
    assert (entry.kind, entry.amount_minor, entry.balance_after_minor) == ("redeem", -3050, 6950)
    assert entry.hotel_id == hotel_a.pk
    voucher = assert_consistent(voucher.pk)
    assert voucher.status == "partially_redeemed"
    services.voucher_redeem(voucher_id=voucher.pk, amount="69.50", actor="test")
    assert assert_consistent(voucher.pk).status == "redeemed"


def test_redeem_more_than_the_balance_is_refused(hotel_a):
    voucher = value_voucher(hotel_a, "20.00")
    error = refused(
        errors.InsufficientBalance,
        lambda: services.voucher_redeem(voucher_id=voucher.pk, amount="20.01", actor="t"),
        voucher.pk,
    )
    assert error.code == "insufficient_balance"
    assert error.extra["available"] == "20.00"


@pytest.mark.parametrize("amount", ["0", "-1", "1.001", "1e2", "1000000001", None, 3.5, "x"])
def test_redeem_refuses_bad_amounts(hotel_a, amount):
    voucher = value_voucher(hotel_a)
    refused(
        errors.ValidationError,
        lambda: services.voucher_redeem(voucher_id=voucher.pk, amount=amount, actor="t"),
        voucher.pk,
    )


def test_redeem_in_another_currency_is_refused(hotel_a):
    voucher = value_voucher(hotel_a)
    refused(
        errors.CurrencyMismatch,
        lambda: services.voucher_redeem(
            voucher_id=voucher.pk, amount="1", currency="CHF", actor="t"
        ),
        voucher.pk,
    )


def test_unknown_voucher_is_not_found(db):
    with pytest.raises(errors.VoucherNotFound):
        services.voucher_redeem(voucher_id=999999, amount="1", actor="t")


def test_unpaid_voucher_is_not_redeemable(hotel_a):
    voucher = value_voucher(hotel_a, paid=False)
    refused(
        errors.VoucherUnpaid,
        lambda: services.voucher_redeem(voucher_id=voucher.pk, amount="1", actor="t"),
        voucher.pk,
    )


def test_voucher_past_its_validity_is_not_redeemable(hotel_a):
    voucher = value_voucher(hotel_a)
    Voucher.objects.filter(pk=voucher.pk).update(valid_until=timezone.localdate() - timedelta(1))
    refused(
        errors.VoucherExpired,
        lambda: services.voucher_redeem(voucher_id=voucher.pk, amount="1", actor="t"),
        voucher.pk,
    )


def test_voucher_valid_today_is_redeemable(hotel_a):
    voucher = value_voucher(hotel_a, valid_until=timezone.localdate())
    services.voucher_redeem(voucher_id=voucher.pk, amount="1", actor="t")
    assert_consistent(voucher.pk)


def test_cancelled_voucher_is_not_redeemable(hotel_a):
    voucher = value_voucher(hotel_a)
    services.voucher_cancel(voucher_id=voucher.pk, actor="t", reason="refund")
    refused(
        errors.VoucherCancelled,
        lambda: services.voucher_redeem(voucher_id=voucher.pk, amount="1", actor="t"),
        voucher.pk,
    )


def test_voucher_only_at_its_hotel(hotel_a, hotel_b):
    voucher = value_voucher(hotel_a)
    desk_b = factories.location(hotel_b)
    for kwargs in ({"hotel": hotel_b}, {"location": desk_b}):
        refused(
            errors.NotRedeemableHere,
            lambda kwargs=kwargs: services.voucher_redeem(
                voucher_id=voucher.pk, amount="1", actor="t", **kwargs
            ),
            voucher.pk,
        )
    services.voucher_redeem(voucher_id=voucher.pk, amount="1", actor="t", hotel=hotel_a)


def test_cross_hotel_voucher_at_any_hotel_of_its_organisation(hotel_a, hotel_b):
    voucher = value_voucher(hotel_a, cross_hotel=True)
    desk_b = factories.location(hotel_b)
    entry = services.voucher_redeem(voucher_id=voucher.pk, amount="5", actor="t", location=desk_b)
    assert (entry.hotel_id, entry.location_id) == (hotel_b.pk, desk_b.pk)
    foreign_hotel = factories.hotel(factories.organisation())
    refused(
        errors.NotRedeemableHere,
        lambda: services.voucher_redeem(
            voucher_id=voucher.pk, amount="1", actor="t", hotel=foreign_hotel
        ),
        voucher.pk,
    )


def test_location_of_another_hotel_than_the_bound_one_is_refused(hotel_a, hotel_b):
    voucher = value_voucher(hotel_a, cross_hotel=True)
    refused(
        errors.NotRedeemableHere,
        lambda: services.voucher_redeem(
            voucher_id=voucher.pk,
            amount="1",
            actor="t",
            hotel=hotel_a,
            location=factories.location(hotel_b),
        ),
        voucher.pk,
    )


# --- positions ---------------------------------------------------------------


@pytest.fixture
def dinner_voucher(org, hotel_a, dinner_spa):
    return services.voucher_issue(
        organisation=org, hotel=hotel_a, product=dinner_spa, paid=True, actor="test"
    )


def test_position_redeemed_whole_by_subcode(dinner_voucher, bar):
    entry = services.voucher_redeem(
        voucher_id=dinner_voucher.pk, subcode="a", location=bar, actor="t"
    )
    assert (entry.amount_minor, entry.position.subcode, entry.balance_after_minor) == (
        -1200,
        "a",
        13400,
    )
    assert dinner_voucher.positions.get(subcode="a").remaining_minor == 0
    assert_consistent(dinner_voucher.pk)


def test_position_only_at_its_locations(dinner_voucher, restaurant):
    refused(
        errors.NotRedeemableHere,
        lambda: services.voucher_redeem(
            voucher_id=dinner_voucher.pk, subcode="a", location=restaurant, actor="t"
        ),
        dinner_voucher.pk,
    )


def test_position_needs_a_location(dinner_voucher):
    refused(
        errors.ValidationError,
        lambda: services.voucher_redeem(voucher_id=dinner_voucher.pk, subcode="a", actor="t"),
        dinner_voucher.pk,
    )


def test_partial_redemption_only_where_allowed(dinner_voucher, restaurant, spa):
    error = refused(
        errors.PartialNotAllowed,
        lambda: services.voucher_redeem(
            voucher_id=dinner_voucher.pk,
            subcode="m",
            amount="50",
            location=restaurant,
            actor="t",
        ),
        dinner_voucher.pk,
    )
    assert error.code == "partial_not_allowed"
    services.voucher_redeem(
        voucher_id=dinner_voucher.pk, subcode="s", amount="20", location=spa, actor="t"
    )
    services.voucher_redeem(voucher_id=dinner_voucher.pk, subcode="s", location=spa, actor="t")
    assert dinner_voucher.positions.get(subcode="s").remaining_minor == 0
    assert assert_consistent(dinner_voucher.pk).balance_minor == 1200 + 8900


def test_redeemed_position_is_refused(dinner_voucher, bar):
    services.voucher_redeem(voucher_id=dinner_voucher.pk, subcode="a", location=bar, actor="t")
    refused(
        errors.PositionRedeemed,
        lambda: services.voucher_redeem(
            voucher_id=dinner_voucher.pk, subcode="a", location=bar, actor="t"
        ),
        dinner_voucher.pk,
    )


def test_position_amount_above_remaining_is_refused(dinner_voucher, spa):
    refused(
        errors.InsufficientBalance,
        lambda: services.voucher_redeem(
            voucher_id=dinner_voucher.pk, subcode="s", amount="45.01", location=spa, actor="t"
        ),
        dinner_voucher.pk,
    )


def test_unknown_position_is_not_found(dinner_voucher, bar, hotel_a):
    refused(
        errors.PositionNotFound,
        lambda: services.voucher_redeem(
            voucher_id=dinner_voucher.pk, subcode="z", location=bar, actor="t"
        ),
        dinner_voucher.pk,
    )
    plain = value_voucher(hotel_a)
    refused(
        errors.PositionNotFound,
        lambda: services.voucher_redeem(
            voucher_id=plain.pk,
            position_id=dinner_voucher.positions.first().pk,
            amount="1",
            actor="t",
        ),
        plain.pk,
    )


def test_voucher_with_positions_is_redeemed_per_position(dinner_voucher, bar):
    refused(
        errors.ValidationError,
        lambda: services.voucher_redeem(
            voucher_id=dinner_voucher.pk, amount="5", location=bar, actor="t"
        ),
        dinner_voucher.pk,
    )


def test_selector_reads_the_subcode(org, dinner_voucher):
    voucher, parsed = voucher_get_by_code(
        organisation=org, code=f"m.{dinner_voucher.display_code.lower()}"
    )
    assert (voucher.pk, parsed.subcode) == (dinner_voucher.pk, "m")


def test_selector_hides_other_organisations_codes(hotel_a):
    voucher = value_voucher(hotel_a)
    other = factories.organisation()
    with pytest.raises(errors.VoucherNotFound):
        voucher_get_by_code(organisation=other, code=voucher.code)


def test_selector_refuses_a_typo_before_any_query(org, hotel_a, django_assert_num_queries):
    voucher = value_voucher(hotel_a)
    typo = voucher.code[:5] + ("2" if voucher.code[5] != "2" else "3") + voucher.code[6:]
    with django_assert_num_queries(0), pytest.raises(errors.InvalidCode):
        voucher_get_by_code(organisation=org, code=typo)


# --- holds -------------------------------------------------------------------


def test_hold_reserves_and_capture_redeems(hotel_a):
    voucher = value_voucher(hotel_a, "100.00")
    hold = services.hold_create(voucher_id=voucher.pk, amount="40", reference="B1", actor="t")
    voucher = assert_consistent(voucher.pk)
    assert (voucher.held_minor, voucher.available_minor) == (4000, 6000)
    refused(
        errors.InsufficientBalance,
        lambda: services.voucher_redeem(voucher_id=voucher.pk, amount="60.01", actor="t"),
        voucher.pk,
    )
    entry = services.hold_capture(hold_id=hold.pk, amount="25", actor="t")
    assert (entry.kind, entry.amount_minor, entry.hold_id) == ("capture", -2500, hold.pk)
    hold.refresh_from_db()
    assert (hold.status, hold.captured_minor) == ("captured", 2500)
    voucher = assert_consistent(voucher.pk)
    assert (voucher.balance_minor, voucher.held_minor) == (7500, 0)


def test_hold_above_available_is_refused(hotel_a):
    voucher = value_voucher(hotel_a, "50.00")
    services.hold_create(voucher_id=voucher.pk, amount="30", reference="B1", actor="t")
    refused(
        errors.InsufficientBalance,
        lambda: services.hold_create(
            voucher_id=voucher.pk, amount="20.01", reference="B2", actor="t"
        ),
        voucher.pk,
    )


@pytest.mark.parametrize(
    "kwargs", [{"reference": ""}, {"expires_in": 0}, {"expires_in": 604801}, {"amount": "0"}]
)
def test_hold_refuses_bad_input(hotel_a, kwargs):
    voucher = value_voucher(hotel_a)
    args = {"amount": "5", "reference": "B1", **kwargs}
    refused(
        errors.ValidationError,
        lambda: services.hold_create(voucher_id=voucher.pk, actor="t", **args),
        voucher.pk,
    )


def test_hold_on_unpaid_voucher_is_refused(hotel_a):
    voucher = value_voucher(hotel_a, paid=False)
    refused(
        errors.VoucherUnpaid,
        lambda: services.hold_create(voucher_id=voucher.pk, amount="5", reference="B", actor="t"),
        voucher.pk,
    )


def test_capture_more_than_held_is_refused(hotel_a):
    voucher = value_voucher(hotel_a)
    hold = services.hold_create(voucher_id=voucher.pk, amount="10", reference="B", actor="t")
    refused(
        errors.AmountExceedsHold,
        lambda: services.hold_capture(hold_id=hold.pk, amount="10.01", actor="t"),
        voucher.pk,
    )


def test_capture_twice_is_refused(hotel_a):
    voucher = value_voucher(hotel_a)
    hold = services.hold_create(voucher_id=voucher.pk, amount="10", reference="B", actor="t")
    services.hold_capture(hold_id=hold.pk, actor="t")
    refused(
        errors.HoldNotActive,
        lambda: services.hold_capture(hold_id=hold.pk, actor="t"),
        voucher.pk,
    )


def test_release_frees_the_amount_and_is_idempotent(hotel_a):
    voucher = value_voucher(hotel_a)
    hold = services.hold_create(voucher_id=voucher.pk, amount="10", reference="B", actor="t")
    services.hold_release(hold_id=hold.pk, actor="t")
    voucher = assert_consistent(voucher.pk)
    assert voucher.held_minor == 0
    assert services.hold_release(hold_id=hold.pk, actor="t").status == "released"
    refused(
        errors.HoldNotActive,
        lambda: services.hold_capture(hold_id=hold.pk, actor="t"),
        voucher.pk,
    )


def test_release_of_a_captured_hold_is_refused(hotel_a):
    voucher = value_voucher(hotel_a)
    hold = services.hold_create(voucher_id=voucher.pk, amount="10", reference="B", actor="t")
    services.hold_capture(hold_id=hold.pk, actor="t")
    refused(
        errors.HoldNotActive, lambda: services.hold_release(hold_id=hold.pk, actor="t"), voucher.pk
    )


def test_unknown_hold_is_not_found(db):
    with pytest.raises(errors.HoldNotFound):
        services.hold_capture(hold_id=424242, actor="t")
    with pytest.raises(errors.HoldNotFound):
        services.hold_release(hold_id=424242, actor="t")


def test_hold_past_its_time_reserves_nothing_and_cannot_be_captured(hotel_a):
    voucher = value_voucher(hotel_a, "30.00")
    hold = services.hold_create(voucher_id=voucher.pk, amount="30", reference="B", actor="t")
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # Not swept yet, and still: the full balance is available again.
    services.voucher_redeem(voucher_id=voucher.pk, amount="30", actor="t")
    hold.refresh_from_db()
    assert hold.status == "expired"
    with pytest.raises(errors.HoldExpired):
        services.hold_capture(hold_id=hold.pk, actor="t")
    assert_consistent(voucher.pk)


def test_capture_of_an_unswept_expired_hold_is_refused(hotel_a):
    voucher = value_voucher(hotel_a)
    hold = services.hold_create(voucher_id=voucher.pk, amount="10", reference="B", actor="t")
    Hold.objects.filter(pk=hold.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(errors.HoldExpired):
        services.hold_capture(hold_id=hold.pk, actor="t")
    assert LedgerEntry.objects.filter(voucher=voucher).count() == 1
    assert_consistent(voucher.pk)


def test_expire_due_holds(hotel_a):
    voucher = value_voucher(hotel_a)
    due = services.hold_create(voucher_id=voucher.pk, amount="10", reference="B1", actor="t")
    later = services.hold_create(
        voucher_id=voucher.pk, amount="5", reference="B2", actor="t", expires_in=3600
    )
    assert services.holds_expire_due(now=timezone.now() + timedelta(seconds=901)) == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == ("expired", "active")
    assert assert_consistent(voucher.pk).held_minor == 500


def test_vouchers_with_positions_are_not_held(dinner_voucher):
    refused(
        errors.ValidationError,
        lambda: services.hold_create(
            voucher_id=dinner_voucher.pk, amount="5", reference="B", actor="t"
        ),
        dinner_voucher.pk,
    )


# --- reversal ----------------------------------------------------------------


def test_reversal_undoes_a_redemption_once(hotel_a):
    voucher = value_voucher(hotel_a, "50.00")
    redemption = services.voucher_redeem(voucher_id=voucher.pk, amount="20", actor="t")
    reversal = services.ledger_entry_reverse(entry_id=redemption.pk, actor="t", reason="wrong")
    assert (reversal.kind, reversal.amount_minor, reversal.reverses_id) == (
        "reversal",
        2000,
        redemption.pk,
    )
    assert assert_consistent(voucher.pk).balance_minor == 5000
    error = refused(
        errors.AlreadyReversed,
        lambda: services.ledger_entry_reverse(entry_id=redemption.pk, actor="t"),
        voucher.pk,
    )
    assert error.code == "already_reversed"


def test_reversal_of_a_position_restores_it(dinner_voucher, bar):
    entry = services.voucher_redeem(
        voucher_id=dinner_voucher.pk, subcode="a", location=bar, actor="t"
    )
    services.ledger_entry_reverse(entry_id=entry.pk, actor="t")
    assert dinner_voucher.positions.get(subcode="a").remaining_minor == 1200
    assert_consistent(dinner_voucher.pk)


def test_reversal_of_a_capture(hotel_a):
    voucher = value_voucher(hotel_a)
    hold = services.hold_create(voucher_id=voucher.pk, amount="10", reference="B", actor="t")
    capture = services.hold_capture(hold_id=hold.pk, actor="t")
    services.ledger_entry_reverse(entry_id=capture.pk, actor="t")
    assert assert_consistent(voucher.pk).balance_minor == 10000


def test_only_redemptions_and_captures_are_reversible(hotel_a):
    voucher = value_voucher(hotel_a)
    issue = LedgerEntry.objects.get(voucher=voucher)
    refused(
        errors.NotReversible,
        lambda: services.ledger_entry_reverse(entry_id=issue.pk, actor="t"),
        voucher.pk,
    )
    redemption = services.voucher_redeem(voucher_id=voucher.pk, amount="1", actor="t")
    reversal = services.ledger_entry_reverse(entry_id=redemption.pk, actor="t")
    refused(
        errors.NotReversible,
        lambda: services.ledger_entry_reverse(entry_id=reversal.pk, actor="t"),
        voucher.pk,
    )
    with pytest.raises(errors.NotFound):
        services.ledger_entry_reverse(entry_id=987654, actor="t")


def test_reversal_on_a_cancelled_voucher_is_refused(hotel_a):
    voucher = value_voucher(hotel_a)
    redemption = services.voucher_redeem(voucher_id=voucher.pk, amount="1", actor="t")
    services.voucher_cancel(voucher_id=voucher.pk, actor="t")
    refused(
        errors.VoucherCancelled,
        lambda: services.ledger_entry_reverse(entry_id=redemption.pk, actor="t"),
        voucher.pk,
    )


def test_the_database_allows_one_reversal_per_entry(hotel_a):
    from django.db import IntegrityError, transaction

    voucher = value_voucher(hotel_a)
    redemption = services.voucher_redeem(voucher_id=voucher.pk, amount="1", actor="t")
    services.ledger_entry_reverse(entry_id=redemption.pk, actor="t")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            voucher=voucher,
            kind="reversal",
            amount_minor=100,
            balance_after_minor=0,
            actor="t",
            reverses=redemption,
        )


# --- cancel, expire, reactivate, adjust ------------------------------------


def test_cancel_releases_holds_and_writes_off_the_balance(hotel_a):
    voucher = value_voucher(hotel_a, "80.00")
    hold = services.hold_create(voucher_id=voucher.pk, amount="10", reference="B", actor="t")
    services.voucher_cancel(voucher_id=voucher.pk, actor="t", reason="returned")
    hold.refresh_from_db()
    voucher = assert_consistent(voucher.pk)
    assert (voucher.status, voucher.balance_minor, hold.status) == ("cancelled", 0, "released")
    assert LedgerEntry.objects.filter(voucher=voucher, kind="cancel").get().amount_minor == -8000
    refused(
        errors.VoucherCancelled,
        lambda: services.voucher_cancel(voucher_id=voucher.pk, actor="t"),
        voucher.pk,
    )
    refused(
        errors.VoucherCancelled,
        lambda: services.voucher_mark_paid(voucher_id=voucher.pk, actor="t"),
        voucher.pk,
    )


def test_expire_writes_breakage_and_reactivate_brings_it_back(hotel_a):
    voucher = value_voucher(hotel_a, "60.00")
    services.voucher_redeem(voucher_id=voucher.pk, amount="10", actor="t")
    refused(
        errors.ValidationError,
        lambda: services.voucher_expire(voucher_id=voucher.pk, actor="t"),
        voucher.pk,
    )
    Voucher.objects.filter(pk=voucher.pk).update(valid_until=timezone.localdate() - timedelta(1))
    assert services.vouchers_expire_due() == 1
    voucher = assert_consistent(voucher.pk)
    assert (voucher.status, voucher.balance_minor) == ("expired", 0)
    assert LedgerEntry.objects.get(voucher=voucher, kind="expire").amount_minor == -5000
    assert services.vouchers_expire_due() == 0  # a second sweep changes nothing
    new_date = timezone.localdate() + timedelta(days=365)
    services.voucher_reactivate(
        voucher_id=voucher.pk, actor="t", valid_until=new_date, reason="goodwill"
    )
    voucher = assert_consistent(voucher.pk)
    assert (voucher.status, voucher.balance_minor, voucher.valid_until) == (
        "partially_redeemed",
        5000,
        new_date,
    )
    services.voucher_redeem(voucher_id=voucher.pk, amount="50", actor="t")


def test_reactivate_refuses_an_active_voucher_and_a_missing_reason(hotel_a):
    voucher = value_voucher(hotel_a)
    refused(
        errors.ValidationError,
        lambda: services.voucher_reactivate(
            voucher_id=voucher.pk, actor="t", valid_until=None, reason="x"
        ),
        voucher.pk,
    )
    refused(
        errors.ValidationError,
        lambda: services.voucher_reactivate(
            voucher_id=voucher.pk, actor="t", valid_until=None, reason=""
        ),
        voucher.pk,
    )


def test_expire_with_positions_writes_each_off(dinner_voucher, bar):
    services.voucher_redeem(voucher_id=dinner_voucher.pk, subcode="a", location=bar, actor="t")
    services.voucher_expire(voucher_id=dinner_voucher.pk, actor="t", force=True)
    assert list(dinner_voucher.positions.values_list("remaining_minor", flat=True)) == [0, 0, 0]
    services.voucher_reactivate(
        voucher_id=dinner_voucher.pk, actor="t", valid_until=None, reason="court"
    )
    assert list(dinner_voucher.positions.values_list("remaining_minor", flat=True)) == [
        0,
        8900,
        4500,
    ]
    assert_consistent(dinner_voucher.pk)


def test_adjust_with_a_reason(hotel_a):
    voucher = value_voucher(hotel_a, "10.00")
    services.voucher_adjust(voucher_id=voucher.pk, amount="-2.50", reason="typo", actor="t")
    services.voucher_adjust(voucher_id=voucher.pk, amount="5", reason="goodwill", actor="t")
    assert assert_consistent(voucher.pk).balance_minor == 1250
    refused(
        errors.ValidationError,
        lambda: services.voucher_adjust(voucher_id=voucher.pk, amount="1", reason="", actor="t"),
        voucher.pk,
    )
    refused(
        errors.InsufficientBalance,
        lambda: services.voucher_adjust(
            voucher_id=voucher.pk, amount="-12.51", reason="x", actor="t"
        ),
        voucher.pk,
    )


# --- idempotency and the append-only ledger ---------------------------------


def test_same_idempotency_key_redeems_once(hotel_a):
    voucher = value_voucher(hotel_a)
    first = services.voucher_redeem(
        voucher_id=voucher.pk, amount="10", actor="pos:1", idempotency_key="k1"
    )
    again = services.voucher_redeem(
        voucher_id=voucher.pk, amount="10", actor="pos:1", idempotency_key="k1"
    )
    assert again.pk == first.pk
    assert assert_consistent(voucher.pk).balance_minor == 9000
    refused(
        errors.IdempotencyKeyReused,
        lambda: services.voucher_redeem(
            voucher_id=voucher.pk, amount="11", actor="pos:1", idempotency_key="k1"
        ),
        voucher.pk,
    )
    # Keys belong to their client: another client's k1 is its own.
    services.voucher_redeem(voucher_id=voucher.pk, amount="10", actor="pos:2", idempotency_key="k1")
    assert assert_consistent(voucher.pk).balance_minor == 8000


def test_a_refused_request_does_not_use_up_its_key(hotel_a):
    voucher = value_voucher(hotel_a, "5.00")
    with pytest.raises(errors.InsufficientBalance):
        services.voucher_redeem(voucher_id=voucher.pk, amount="6", actor="t", idempotency_key="k")
    services.voucher_adjust(voucher_id=voucher.pk, amount="1", reason="top up", actor="t")
    services.voucher_redeem(voucher_id=voucher.pk, amount="6", actor="t", idempotency_key="k")
    assert assert_consistent(voucher.pk).balance_minor == 0


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "ünïcode"])
def test_bad_idempotency_keys_are_refused(hotel_a, key):
    voucher = value_voucher(hotel_a)
    refused(
        errors.ValidationError,
        lambda: services.voucher_redeem(
            voucher_id=voucher.pk, amount="1", actor="t", idempotency_key=key or " "
        ),
        voucher.pk,
    )


def test_ledger_entries_cannot_be_changed_or_deleted(hotel_a):
    voucher = value_voucher(hotel_a)
    entry = LedgerEntry.objects.get(voucher=voucher)
    entry.amount_minor = 1
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_minor=1)
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount_minor == 10000


def test_database_check_keeps_the_balance_above_holds(hotel_a):
    from django.db import IntegrityError, transaction

    voucher = value_voucher(hotel_a, "10.00")
    services.hold_create(voucher_id=voucher.pk, amount="8", reference="B", actor="t")
    for change in ({"balance_minor": 700}, {"balance_minor": -1}, {"held_minor": -1}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Voucher.objects.filter(pk=voucher.pk).update(**change)
    assert_consistent(voucher.pk)
