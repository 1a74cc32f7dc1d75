"""Code 128 code set B, checked against the published symbol table."""

import pytest

from hotel_vouchers.documents.code128 import (
    PATTERNS,
    NotEncodable,
    code128b_bars,
    code128b_values,
    code128b_widths,
)


def test_the_symbol_table_is_well_formed():
    assert len(PATTERNS) == 107
    assert all(sum(map(int, p)) == 11 for p in PATTERNS[:106])
    assert sum(map(int, PATTERNS[106])) == 13  # the stop symbol has a final bar
    assert len(set(PATTERNS)) == 107
    # known patterns: value 0 (space in set B), start B, start C, stop
    assert (PATTERNS[0], PATTERNS[104], PATTERNS[105], PATTERNS[106]) == (
        "212222",
        "211214",
        "211232",
        "2331112",
    )


def test_values_start_b_characters_check_and_stop():
    # "AB": 104 + 33*1 + 34*2 = 205; 205 mod 103 = 102
    assert code128b_values("AB") == [104, 33, 34, 102, 106]
    # "PJJ123C" all in set B: 104 + 48 + 2*42 + 3*42 + 4*17 + 5*18 + 6*19 + 7*35 = 879;
    # 879 mod 103 = 55
    assert code128b_values("PJJ123C") == [104, 48, 42, 42, 17, 18, 19, 35, 55, 106]


def test_widths_and_bars_of_a_voucher_code():
    widths = code128b_widths("EDQR-TU3A-M3F7")
    # start, 14 characters, check: 11 modules each; stop: 13
    assert sum(widths) == 16 * 11 + 13
    assert widths[:6] == [2, 1, 1, 2, 1, 4]  # start B
    assert widths[-7:] == [2, 3, 3, 1, 1, 1, 2]  # stop
    bars, total = code128b_bars("EDQR-TU3A-M3F7")
    assert total == sum(widths)
    assert bars[0] == (0, 2)
    assert len(bars) == (len(widths) + 1) // 2


@pytest.mark.parametrize("text", ["", "Grüße", "tab\there"])
def test_characters_outside_code_set_b_are_refused(text):
    with pytest.raises(NotEncodable):
        code128b_values(text)
