"""Pure rules, no database."""

from datetime import date

import pytest

from hotel_vouchers.catalog.domain import valid_until_for
from hotel_vouchers.core import errors
from hotel_vouchers.vouchers import domain

TODAY = date(2026, 11, 24)


def status(**kw):
    base = dict(
        today=TODAY,
        cancelled=False,
        expired=False,
        valid_until=None,
        paid=True,
        balance=100,
        original=100,
    )
    return domain.voucher_status(**{**base, **kw})


@pytest.mark.parametrize(
    "kw, expected",
    [
        ({}, "active"),
        ({"balance": 40}, "partially_redeemed"),
        ({"balance": 0}, "redeemed"),
        ({"paid": False}, "unpaid"),
        ({"valid_until": date(2026, 11, 23)}, "expired"),
        ({"valid_until": TODAY}, "active"),
        ({"expired": True}, "expired"),
        ({"cancelled": True, "expired": True, "paid": False}, "cancelled"),
        ({"paid": False, "valid_until": date(2020, 1, 1)}, "expired"),
    ],
)
def test_status_is_derived(kw, expected):
    assert status(**kw) == expected


@pytest.mark.parametrize(
    "state, error",
    [
        ("cancelled", errors.VoucherCancelled),
        ("expired", errors.VoucherExpired),
        ("unpaid", errors.VoucherUnpaid),
    ],
)
def test_only_paid_valid_vouchers_are_redeemable(state, error):
    with pytest.raises(error):
        domain.check_redeemable(status=state)
    for fine in ("active", "partially_redeemed", "redeemed"):
        domain.check_redeemable(status=fine)


def test_available_is_balance_less_holds():
    assert domain.available(balance=100, held=30) == 70


def test_position_amount_rules():
    rule = domain.position_redemption_amount
    assert rule(requested=None, remaining=500, partial_allowed=False, remaining_text="5.00") == 500
    assert rule(requested=200, remaining=500, partial_allowed=True, remaining_text="5.00") == 200
    with pytest.raises(errors.PartialNotAllowed):
        rule(requested=200, remaining=500, partial_allowed=False, remaining_text="5.00")
    with pytest.raises(errors.InsufficientBalance):
        rule(requested=501, remaining=500, partial_allowed=True, remaining_text="5.00")
    with pytest.raises(errors.PositionRedeemed):
        rule(requested=None, remaining=0, partial_allowed=True, remaining_text="0.00")


@pytest.mark.parametrize(
    "issued, years, to_year_end, expected",
    [
        (date(2026, 3, 5), 3, True, date(2029, 12, 31)),
        (date(2026, 3, 5), 2, False, date(2028, 3, 5)),
        (date(2024, 2, 29), 1, False, date(2025, 2, 28)),
        (date(2026, 3, 5), None, True, None),
    ],
)
def test_validity_rule(issued, years, to_year_end, expected):
    assert valid_until_for(issued_on=issued, years=years, to_year_end=to_year_end) == expected


def test_every_error_has_a_stable_code_and_status():
    codes = {
        cls.code: cls.status
        for cls in [
            errors.InvalidCode,
            errors.VoucherNotFound,
            errors.VoucherUnpaid,
            errors.VoucherExpired,
            errors.VoucherCancelled,
            errors.InsufficientBalance,
            errors.NotRedeemableHere,
            errors.PositionNotFound,
            errors.PositionRedeemed,
            errors.PartialNotAllowed,
            errors.HoldNotFound,
            errors.HoldNotActive,
            errors.HoldExpired,
            errors.AmountExceedsHold,
            errors.AlreadyReversed,
            errors.NotReversible,
            errors.CurrencyMismatch,
            errors.IdempotencyKeyReused,
            errors.RequestInProgress,
            errors.ValidationError,
            errors.Forbidden,
        ]
    }
    assert codes["insufficient_balance"] == 409
    assert codes["not_redeemable_here"] == 403
    assert codes["invalid_code"] == 422
    assert codes["voucher_not_found"] == 404
    problem = errors.InsufficientBalance("Only 1.00", available="1.00").as_problem()
    assert problem["code"] == "insufficient_balance" and problem["available"] == "1.00"
