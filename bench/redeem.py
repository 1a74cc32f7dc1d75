"""Service-level redemption throughput beside a raw-SQL baseline.

For each database (SQLite, PostgreSQL) and each number of processes (1, 2),
N OS processes redeem 0.01 from one shared voucher, each redemption its own
transaction:

- service: `voucher_redeem(...)`, the code every surface calls;
- raw: the same ledger write with the database driver alone: take the lock
  (`BEGIN IMMEDIATE` on SQLite, `SELECT ... FOR UPDATE` on PostgreSQL), read
  the voucher, insert the ledger entry, update the cached balance, commit;
- ledger: Django's `transaction.atomic` around the ledger's own three
  statements (vouchers/ledger.py) without the service's rules: the floor the
  service stands on.

The three kinds alternate for `--rounds` rounds; the median rate of each and
the ratio service/raw are printed. Afterwards the voucher's balance must equal
the sum of its ledger entries, or the benchmark fails.

    .venv/bin/python bench/redeem.py [--databases sqlite,postgres]
        [--processes 1,2] [--count 2000] [--rounds 3]

SQLite runs in a temporary folder; PostgreSQL in a database
`hotel_vouchers_bench` (dropped and created) on BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432/hotel_vouchers_bench.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/hotel_vouchers_bench"
AMOUNT_MINOR = 1  # 0.01 EUR a redemption
VALUE = "1000000.00"


def _setup_django(database_url: str, data_dir: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["HOTEL_VOUCHERS_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "hotel_vouchers.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


# --- the two workers (run in their own processes) ---------------------------


def service_worker(database_url, data_dir, voucher_id, count, barrier, results) -> None:
    _setup_django(database_url, data_dir)
    from decimal import Decimal

    from hotel_vouchers.vouchers.services import voucher_redeem

    amount = Decimal("0.01")
    voucher_redeem(voucher_id=voucher_id, amount=amount, actor="bench")  # connect, warm up
    barrier.wait()
    start = time.perf_counter()
    for _ in range(count):
        voucher_redeem(voucher_id=voucher_id, amount=amount, actor="bench")
    results.put((start, time.perf_counter()))


# Every column the service writes, as it writes them.
def ledger_worker(database_url, data_dir, voucher_id, count, barrier, results) -> None:
    """The floor under the service: Django's transaction and the ledger's three
    statements (vouchers/ledger.py), without the service's rules."""
    _setup_django(database_url, data_dir)
    from django.db import transaction
    from django.utils import timezone

    from hotel_vouchers.vouchers import ledger

    def redeem() -> None:
        with transaction.atomic():
            voucher = ledger.lock_voucher(voucher_id)
            voucher.balance_minor -= AMOUNT_MINOR
            ledger.entry_insert(
                voucher=voucher,
                now=timezone.now(),
                values={
                    "kind": "redeem",
                    "amount_minor": -AMOUNT_MINOR,
                    "balance_after_minor": voucher.balance_minor,
                    "hotel_id": voucher.hotel_id,
                    "actor": "bench",
                },
            )

    redeem()  # connect, warm up
    barrier.wait()
    start = time.perf_counter()
    for _ in range(count):
        redeem()
    results.put((start, time.perf_counter()))


_RAW_INSERT = (
    "INSERT INTO vouchers_ledgerentry (voucher_id, kind, amount_minor, balance_after_minor,"
    " position_id, hold_id, hotel_id, location_id, actor, reference, note, idempotency_key,"
    " reverses_id, created_at)"
    " VALUES ({p}, 'redeem', {p}, {p}, NULL, NULL, {p}, NULL, 'bench', '', '', '', NULL, {p})"
)
_RAW_UPDATE = (
    "UPDATE vouchers_voucher SET balance_minor = {p}, held_minor = {p}, changed_at = {p}"
    " WHERE id = {p}"
)


def raw_worker(database_url, data_dir, voucher_id, count, barrier, results) -> None:
    """The same ledger write as voucher_redeem, in plain SQL through the driver."""
    _setup_django(database_url, data_dir)
    from datetime import UTC, datetime

    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        import sqlite3

        conn = sqlite3.connect(settings["NAME"], timeout=30, isolation_level=None)
        # The pragmas Django sets on its own connections (settings.py and the backend).
        conn.executescript(
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        )
        begin, lock, p = "BEGIN IMMEDIATE", "", "?"
        now = lambda: datetime.now(UTC).isoformat(sep=" ")  # noqa: E731
    else:
        import psycopg

        conn = psycopg.connect(
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            password=settings["PASSWORD"] or None,
            dbname=settings["NAME"],
            autocommit=True,
        )
        begin, lock, p = "BEGIN", " FOR UPDATE", "%s"
        now = lambda: datetime.now(UTC)  # noqa: E731
    select = (
        "SELECT balance_minor, held_minor, hotel_id, paid_at, cancelled_at, expired_at"
        f" FROM vouchers_voucher WHERE id = {p}{lock}"
    )
    insert, update = _RAW_INSERT.format(p=p), _RAW_UPDATE.format(p=p)
    cur = conn.cursor()

    def redeem() -> None:
        cur.execute(begin)
        cur.execute(select, (voucher_id,))
        balance, held, hotel_id, paid_at, cancelled_at, expired_at = cur.fetchone()
        if balance - held < AMOUNT_MINOR or not paid_at or cancelled_at or expired_at:
            cur.execute("ROLLBACK")
            raise RuntimeError("voucher is not redeemable")
        at = now()
        new_balance = balance - AMOUNT_MINOR
        cur.execute(insert, (voucher_id, -AMOUNT_MINOR, new_balance, hotel_id, at))
        cur.execute(update, (new_balance, held, at, voucher_id))
        cur.execute("COMMIT")

    redeem()  # connect, warm up
    barrier.wait()
    start = time.perf_counter()
    for _ in range(count):
        redeem()
    results.put((start, time.perf_counter()))
    conn.close()


# --- the driver -------------------------------------------------------------


def _run(kind, database_url, data_dir, voucher_id, processes, count) -> float:
    """Redemptions per second of `processes` workers, from the first start to the last end."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(processes)
    results = ctx.Queue()
    target = {"service": service_worker, "ledger": ledger_worker, "raw": raw_worker}[kind]
    workers = [
        ctx.Process(
            target=target, args=(database_url, data_dir, voucher_id, count, barrier, results)
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    spans = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        if worker.exitcode != 0:
            raise SystemExit(f"a {kind} worker failed")
    elapsed = max(end for _, end in spans) - min(start for start, _ in spans)
    return processes * count / elapsed


def _prepare_postgres(url: str) -> None:
    import dj_database_url
    import psycopg

    db = dj_database_url.parse(url)
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def _prepare(database_url: str, data_dir: str) -> int:
    """Migrate the benchmark database and issue one big paid voucher; its id."""
    _setup_django(database_url, data_dir)
    from django.core.management import call_command

    from hotel_vouchers.properties.models import Hotel, Organisation
    from hotel_vouchers.vouchers.services import voucher_issue

    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(slug="bench", name="Bench", currency="EUR")
    hotel = Hotel.objects.create(organisation=org, slug="bench", name="Bench")
    voucher = voucher_issue(
        organisation=org, hotel=hotel, actor="bench", value=VALUE, paid=True, no_expiry=True
    )
    return voucher.pk


def _check(database_url: str, data_dir: str, voucher_id: int) -> tuple[int, int]:
    """The voucher's cached balance and the sum of its ledger entries."""
    _setup_django(database_url, data_dir)
    from hotel_vouchers.vouchers.models import Voucher
    from hotel_vouchers.vouchers.selectors import voucher_ledger_sum

    voucher = Voucher.objects.get(pk=voucher_id)
    return voucher.balance_minor, voucher_ledger_sum(voucher_id=voucher_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--processes", default="1,2")
    parser.add_argument("--count", type=int, default=2000, help="redemptions per process")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(
        f"python {platform.python_version()}; {args.count} redemptions per process, "
        f"median of {args.rounds} alternating rounds"
    )
    print(
        f"{'database':<10} {'procs':>5} {'raw/s':>8} {'ledger/s':>9} {'service/s':>10}"
        f" {'service/raw':>12}"
    )
    failed = False
    with tempfile.TemporaryDirectory(prefix="hv-bench-") as data_dir:
        for database in args.databases.split(","):
            if database == "sqlite":
                url = f"sqlite:///{Path(data_dir) / 'bench.sqlite3'}"
            else:
                url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG)
                _prepare_postgres(url)
            voucher_id = _in_child(_prepare, url, data_dir)
            for processes in (int(n) for n in args.processes.split(",")):
                rates: dict[str, list[float]] = {"raw": [], "ledger": [], "service": []}
                for _ in range(args.rounds):
                    for kind, found in rates.items():
                        found.append(_run(kind, url, data_dir, voucher_id, processes, args.count))
                r, led, s = (statistics.median(found) for found in rates.values())
                print(
                    f"{database:<10} {processes:>5} {r:>8.0f} {led:>9.0f} {s:>10.0f} {s / r:>12.0%}"
                )
            balance, ledger = _in_child(_check, url, data_dir, voucher_id)
            ok = balance == ledger
            failed |= not ok
            print(f"{database:<10} balance {balance} == ledger sum {ledger}: {ok}")
    if failed:
        raise SystemExit(1)


def _in_child(function, *args):
    """Run in a fresh process, so that this one never sets Django up or holds a connection."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
