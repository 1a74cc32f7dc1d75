"""Voucher codes: `XXXX-XXXX-XXXX` with a check character.

Alphabet: Crockford's base 32 (digits and letters without I, L, O and U), so
that no two symbols look alike; on input O is read as 0 and I and L as 1.
Eleven symbols come from `secrets` (11 x 5 = 55 random bits); the twelfth is a
Luhn mod 32 check character, which catches every single mistyped symbol and
most swapped neighbours, so a typo is refused before any database lookup.

Codes are stored normalised (upper case, no spaces or dashes) and shown in the
canonical dashed form. A hotel may also enter its own codes (manual codes):
4-32 letters and digits; one that has the shape of a generated code must carry
a valid check character too, or nobody could ever look it up.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from hotel_vouchers.core.errors import InvalidCode, ValidationError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_N = len(ALPHABET)
_INDEX = {symbol: i for i, symbol in enumerate(ALPHABET)}
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
RANDOM_SYMBOLS = 11
CODE_LENGTH = RANDOM_SYMBOLS + 1
RANDOM_BITS = RANDOM_SYMBOLS * 5
MAX_INPUT_LENGTH = 100
# Spaces, dashes (ASCII and the Unicode dashes U+2010-U+2015, U+2212) and underscores.
_SEPARATORS = re.compile("[\\s\\-\u2010-\u2015\u2212_]+")
_SUBCODE = re.compile(r"^\s*([A-Za-z])\s*\.\s*(.+)$", re.DOTALL)
_BODY = re.compile(r"[A-Za-z0-9]{4,32}")


@dataclass(frozen=True, slots=True)
class ParsedCode:
    code: str  # normalised: the form stored in the database
    subcode: str | None  # lower-case position letter, from "a.CODE"
    generated_shape: bool

    @property
    def display(self) -> str:
        return format_code(self.code)


def check_symbol(payload: str) -> str:
    """The Luhn mod 32 check symbol for `payload` (symbols of ALPHABET)."""
    factor, total = 2, 0
    for symbol in reversed(payload):
        addend = factor * _INDEX[symbol]
        factor = 1 if factor == 2 else 2
        total += addend // _N + addend % _N
    return ALPHABET[(_N - total % _N) % _N]


def is_valid_check(code: str) -> bool:
    factor, total = 1, 0
    for symbol in reversed(code):
        addend = factor * _INDEX[symbol]
        factor = 1 if factor == 2 else 2
        total += addend // _N + addend % _N
    return total % _N == 0


def generate_code() -> str:
    """A new random code in stored form (12 symbols, no dashes)."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    return payload + check_symbol(payload)


def format_code(code: str) -> str:
    if len(code) == CODE_LENGTH and all(c in _INDEX for c in code):
        return f"{code[:4]}-{code[4:8]}-{code[8:]}"
    return code


def _generated_shape(body: str) -> str | None:
    mapped = body.translate(_LOOKALIKES)
    if len(mapped) == CODE_LENGTH and all(c in _INDEX for c in mapped):
        return mapped
    return None


def parse_code(raw: object) -> ParsedCode:
    """Read a code as people type it; InvalidCode for a malformed one or a typo."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidCode("A voucher code is required.", field="code")
    if len(raw) > MAX_INPUT_LENGTH:
        raise InvalidCode("This is not a voucher code: too long.", field="code")
    subcode = None
    if match := _SUBCODE.match(raw):
        subcode, raw = match.group(1).lower(), match.group(2)
    body = _SEPARATORS.sub("", raw)
    if not _BODY.fullmatch(body):
        raise InvalidCode(
            "This is not a voucher code: codes have 4 to 32 letters and digits.", field="code"
        )
    body = body.upper()
    if mapped := _generated_shape(body):
        if not is_valid_check(mapped):
            raise InvalidCode(
                "The code's check character does not match: please check it for a typo.",
                field="code",
                reason="check_character",
            )
        return ParsedCode(code=mapped, subcode=subcode, generated_shape=True)
    return ParsedCode(code=body, subcode=subcode, generated_shape=False)


def normalise_manual_code(raw: object) -> str:
    """The stored form of a code a hotel enters itself, or a ValidationError."""
    if not isinstance(raw, str):
        raise ValidationError("A code is required.", field="code")
    if _SUBCODE.match(raw):
        raise ValidationError("A code cannot start with a sub-code prefix.", field="code")
    body = _SEPARATORS.sub("", raw)
    if not _BODY.fullmatch(body):
        raise ValidationError("Codes have 4 to 32 letters and digits.", field="code")
    body = body.upper()
    if mapped := _generated_shape(body):
        if not is_valid_check(mapped):
            raise ValidationError(
                "A 12-symbol code in the voucher alphabet must end in its check character; "
                "choose another length or let the system generate the code.",
                field="code",
            )
        return mapped
    return body
