"""Code 128, code set B: symbol values, check symbol and bar widths.

Pure: no Django, no drawing. fpdf2 draws Code 39 and Interleaved 2 of 5 but
not Code 128, which every hand scanner reads and which is denser for our
letters-and-dashes codes.
"""

from __future__ import annotations

# Bar/space widths (in modules) of the symbol values 0-106: bar, space, bar,
# space, bar, space (the stop symbol has a final seventh bar).
PATTERNS: tuple[str, ...] = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312",
    "132212", "221213", "221312", "231212", "112232", "122132", "122231", "113222",
    "123122", "123221", "223211", "221132", "221231", "213212", "223112", "312131",
    "311222", "321122", "321221", "312212", "322112", "322211", "212123", "212321",
    "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121",
    "313121", "211331", "231131", "213113", "213311", "213131", "311123", "311321",
    "331121", "312113", "312311", "332111", "314111", "221411", "431111", "111224",
    "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
    "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112",
    "421211", "212141", "214121", "412121", "111143", "111341", "131141", "114113",
    "114311", "411113", "411311", "113141", "114131", "311141", "411131", "211412",
    "211214", "211232", "2331112",
)  # fmt: skip
START_B = 104
STOP = 106
QUIET_ZONE_MODULES = 10


class NotEncodable(ValueError):
    """The text has a character outside code set B (ASCII 32-127)."""


def code128b_values(text: str) -> list[int]:
    """Symbol values: start B, one per character, the check symbol, stop.

    The check symbol is the start value plus each character's value times its
    position (1-based), modulo 103."""
    if not text:
        raise NotEncodable("Nothing to encode.")
    values = [START_B]
    for char in text:
        code = ord(char)
        if not 32 <= code <= 127:
            raise NotEncodable(f"{char!r} is not in Code 128 code set B.")
        values.append(code - 32)
    checksum = START_B + sum(position * value for position, value in enumerate(values[1:], 1))
    values.append(checksum % 103)
    values.append(STOP)
    return values


def code128b_widths(text: str) -> list[int]:
    """Alternating bar and space widths in modules, starting and ending with a bar."""
    return [int(width) for value in code128b_values(text) for width in PATTERNS[value]]


def code128b_bars(text: str) -> tuple[list[tuple[int, int]], int]:
    """(start module, width) of every bar, and the symbol's total width in modules,
    without the quiet zones."""
    bars: list[tuple[int, int]] = []
    position = 0
    for index, width in enumerate(code128b_widths(text)):
        if index % 2 == 0:
            bars.append((position, width))
        position += width
    return bars, position
