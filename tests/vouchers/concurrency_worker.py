"""Runs in a separate OS process: attempts redemptions on one voucher.

Started with the spawn method, so it sets Django up itself against the test
database named in DATABASE_URL."""

from __future__ import annotations

import os


def redeem_many(
    database_url: str,
    data_dir: str,
    voucher_id: int,
    attempts: int,
    amount: str,
    key_prefix: str | None,
    barrier,
    results,
) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["HOTEL_VOUCHERS_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotel_vouchers.settings")
    import django

    django.setup()
    from decimal import Decimal

    from hotel_vouchers.core.errors import DomainError
    from hotel_vouchers.vouchers.services import voucher_redeem

    ok: list[int] = []
    refused: dict[str, int] = {}
    barrier.wait()
    for n in range(attempts):
        try:
            entry = voucher_redeem(
                voucher_id=voucher_id,
                amount=Decimal(amount),
                actor="concurrency",
                idempotency_key=f"{key_prefix}-{n}" if key_prefix else None,
            )
            ok.append(entry.pk)
        except DomainError as error:
            refused[error.code] = refused.get(error.code, 0) + 1
    results.put((ok, refused))
