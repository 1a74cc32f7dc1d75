import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotel_vouchers.core.codes import (
    ALPHABET,
    RANDOM_BITS,
    check_symbol,
    format_code,
    generate_code,
    is_valid_check,
    normalise_manual_code,
    parse_code,
)
from hotel_vouchers.core.errors import InvalidCode, ValidationError

payloads = st.text(alphabet=ALPHABET, min_size=11, max_size=11)


def test_generated_codes_have_the_canonical_shape_and_a_valid_check():
    for _ in range(200):
        code = generate_code()
        assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{12}", code)
        assert is_valid_check(code)
        assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", format_code(code))


def test_alphabet_has_no_look_alikes_and_enough_random_bits():
    assert not set("ILOU") & set(ALPHABET)
    assert len(set(ALPHABET)) == 32
    assert RANDOM_BITS >= 55
    assert 11 * math.log2(len(ALPHABET)) >= 55


def test_codes_are_not_repeated():
    codes = {generate_code() for _ in range(5000)}
    assert len(codes) == 5000


@given(payloads, st.integers(0, 10), st.sampled_from(ALPHABET))
def test_every_single_substitution_is_caught(payload, index, symbol):
    code = payload + check_symbol(payload)
    if code[index] == symbol:
        return
    typo = code[:index] + symbol + code[index + 1 :]
    assert not is_valid_check(typo)
    with pytest.raises(InvalidCode):
        parse_code(typo)


@given(payloads)
def test_input_is_read_leniently(payload):
    code = payload + check_symbol(payload)
    messy = " " + "-".join([code[:4], code[4:8], code[8:]]).lower().replace("-", " - ", 1) + "  "
    parsed = parse_code(messy)
    assert parsed.code == code
    assert parsed.subcode is None
    assert parsed.display == format_code(code)


def test_look_alike_letters_are_read_as_digits():
    payload = "0101ABCDEFG"
    code = payload + check_symbol(payload)
    assert parse_code(code.replace("0", "O").replace("1", "l", 1)).code == code


def test_subcode_prefix_names_a_position():
    code = generate_code()
    parsed = parse_code(f"A.{format_code(code).lower()}")
    assert (parsed.code, parsed.subcode) == (code, "a")
    assert parse_code(f" m . {code}").subcode == "m"


@pytest.mark.parametrize(
    "raw", ["", "   ", None, 42, "AB", "ÄBCD-EFGH-JKMN", "x" * 101, "EDQR/TU3A", "a."]
)
def test_malformed_codes_are_refused(raw):
    with pytest.raises(InvalidCode) as error:
        parse_code(raw)
    assert error.value.code == "invalid_code"


def test_manual_codes_keep_their_letters():
    assert normalise_manual_code("sommer-2026") == "SOMMER2026"
    assert parse_code("Sommer 2026").code == "SOMMER2026"
    assert parse_code("EDQR-TU3A-M3F7").code == "EDQRTU3AM3F7"  # has a U: not generated


def test_manual_code_shaped_like_a_generated_one_needs_its_check():
    payload = "ABCDEFGHJKM"
    good = payload + check_symbol(payload)
    assert normalise_manual_code(good.lower()) == good
    bad = payload + ALPHABET[(ALPHABET.index(check_symbol(payload)) + 1) % 32]
    with pytest.raises(ValidationError):
        normalise_manual_code(bad)
    with pytest.raises(ValidationError):
        normalise_manual_code("a.SOMMER")


def test_ligatures_are_not_letters():
    with pytest.raises(InvalidCode):
        parse_code("ﬁﬁﬁﬁ")
