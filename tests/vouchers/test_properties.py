"""Hypothesis: any sequence of operations keeps the ledger and the cache equal."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotel_vouchers.core.errors import DomainError
from hotel_vouchers.vouchers import services
from hotel_vouchers.vouchers.models import Hold, LedgerEntry, Voucher
from hotel_vouchers.vouchers.selectors import voucher_ledger_sum
from tests.factories import value_voucher

cents = st.integers(min_value=1, max_value=6000).map(lambda c: Decimal(c).scaleb(-2))
operations = st.lists(
    st.one_of(
        st.tuples(st.just("redeem"), cents),
        st.tuples(st.just("hold"), cents),
        st.tuples(st.just("capture"), st.integers(0, 5), st.none() | cents),
        st.tuples(st.just("release"), st.integers(0, 5)),
        st.tuples(st.just("reverse"), st.integers(0, 10)),
        st.tuples(st.just("adjust"), st.integers(-3000, 3000).filter(bool)),
        st.tuples(st.just("expire_holds"), st.integers(0, 2000)),
        st.tuples(st.just("cancel")),
    ),
    max_size=25,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_random_operations_keep_balance_equal_to_the_ledger(hotel_a, ops):
    voucher = value_voucher(hotel_a, "100.00")
    holds: list[int] = []
    clock = [0]
    for op in ops:
        entries = list(
            LedgerEntry.objects.filter(voucher=voucher, kind__in=["redeem", "capture"])
            .values_list("pk", flat=True)
            .order_by("pk")
        )
        try:
            match op:
                case ("redeem", amount):
                    services.voucher_redeem(voucher_id=voucher.pk, amount=amount, actor="p")
                case ("hold", amount):
                    hold = services.hold_create(
                        voucher_id=voucher.pk,
                        amount=amount,
                        reference="B",
                        actor="p",
                        expires_in=1000,
                    )
                    holds.append(hold.pk)
                case ("capture", index, amount) if holds:
                    services.hold_capture(
                        hold_id=holds[index % len(holds)], amount=amount, actor="p"
                    )
                case ("release", index) if holds:
                    services.hold_release(hold_id=holds[index % len(holds)], actor="p")
                case ("reverse", index) if entries:
                    services.ledger_entry_reverse(entry_id=entries[index % len(entries)], actor="p")
                case ("adjust", cents_delta):
                    services.voucher_adjust(
                        voucher_id=voucher.pk,
                        actor="p",
                        reason="prop",
                        amount=Decimal(cents_delta).scaleb(-2),
                    )
                case ("expire_holds", seconds):
                    clock[0] += seconds
                    services.holds_expire_due(now=timezone.now() + timedelta(seconds=clock[0]))
                case ("cancel",):
                    services.voucher_cancel(voucher_id=voucher.pk, actor="p")
        except DomainError:
            pass
        current = Voucher.objects.get(pk=voucher.pk)
        assert current.balance_minor == voucher_ledger_sum(voucher_id=voucher.pk)
        assert current.balance_minor - current.held_minor >= 0
        assert current.held_minor == sum(
            Hold.objects.filter(voucher=voucher, status="active").values_list(
                "amount_minor", flat=True
            )
        )
