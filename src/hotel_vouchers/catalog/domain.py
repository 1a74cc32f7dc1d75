"""Pure rules of the catalogue, without Django."""

from __future__ import annotations

from datetime import date


def valid_until_for(*, issued_on: date, years: int | None, to_year_end: bool) -> date | None:
    """The last day a voucher is valid, or None for no expiry.

    `to_year_end`: counted to 31 December of the year `years` after the
    purchase (the German default: three years from the end of the year).
    """
    if years is None:
        return None
    if to_year_end:
        return date(issued_on.year + years, 12, 31)
    try:
        return issued_on.replace(year=issued_on.year + years)
    except ValueError:  # 29 February into a year without it
        return issued_on.replace(year=issued_on.year + years, day=28)
