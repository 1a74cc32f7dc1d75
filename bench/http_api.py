"""HTTP benchmark against `hotel-vouchers serve` (gunicorn, 2 workers, and the worker).

For each database (SQLite, PostgreSQL) and 1, 16 and 64 concurrent clients,
wrk drives three endpoints for `--seconds` each:

- ceiling: `GET /api/v1/me`, a trivial authenticated endpoint: what the same
  server answers when the work is only the framework and the token check;
- lookup: `GET /api/v1/vouchers/{code}` (balance inquiry);
- redeem: `POST /api/v1/vouchers/{code}/redemptions` of 0.01.

It prints requests per second and p50/p95/p99 latency for each, the ratio
redeem/ceiling, counts every answer that is not 2xx, and checks afterwards that
the voucher's balance equals the sum of its ledger entries.

    .venv/bin/python bench/http_api.py [--databases sqlite,postgres]
        [--clients 1,16,64] [--seconds 10] [--workers 2]

Needs wrk (Debian: `apt-get install wrk`). PostgreSQL runs in a database
`hotel_vouchers_bench_http` (dropped and created) on BENCH_POSTGRES_URL.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.redeem import _in_child, _prepare_postgres, _setup_django  # noqa: E402

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/hotel_vouchers_bench_http"
HOTEL_VOUCHERS = str(Path(sys.executable).with_name("hotel-vouchers"))

# wrk script: the request comes from the environment; done() prints the figures as JSON.
LUA = r"""
wrk.method = os.getenv("BENCH_METHOD")
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
wrk.headers["Content-Type"] = "application/json"
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "p50": %d, "p95": %d, "p99": %d, '
    .. '"non2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), errors.status, errors.connect + errors.read + errors.write
      + errors.timeout))
end
"""


def _prepare(database_url: str, data_dir: str) -> dict:
    """Migrate, one paid voucher of 1,000,000.00 and a client with every scope."""
    _setup_django(database_url, data_dir)
    from django.core.management import call_command

    from hotel_vouchers.api_clients.models import SCOPES
    from hotel_vouchers.api_clients.services import api_client_create
    from hotel_vouchers.properties.models import Hotel, Organisation
    from hotel_vouchers.vouchers.services import voucher_issue

    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(slug="bench", name="Bench", currency="EUR")
    hotel = Hotel.objects.create(organisation=org, slug="bench", name="Bench")
    voucher = voucher_issue(
        organisation=org,
        hotel=hotel,
        actor="bench",
        value="1000000.00",
        paid=True,
        no_expiry=True,
    )
    _, token = api_client_create(
        organisation=org, name="bench", scopes=list(SCOPES), actor="bench", hotel=hotel
    )
    return {"voucher_id": voucher.pk, "code": voucher.display_code, "token": token}


def _check(database_url: str, data_dir: str, voucher_id: int) -> tuple[int, int, int]:
    """Cached balance, ledger sum and number of redemptions of the voucher."""
    _setup_django(database_url, data_dir)
    from hotel_vouchers.vouchers.models import LedgerEntry, Voucher
    from hotel_vouchers.vouchers.selectors import voucher_ledger_sum

    voucher = Voucher.objects.get(pk=voucher_id)
    redemptions = LedgerEntry.objects.filter(voucher_id=voucher_id, kind="redeem").count()
    return voucher.balance_minor, voucher_ledger_sum(voucher_id=voucher_id), redemptions


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(database_url: str, data_dir: str, workers: int) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HOTEL_VOUCHERS_DATA_DIR": data_dir,
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [HOTEL_VOUCHERS, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/me", timeout=2)
        except urllib.error.HTTPError as error:
            if error.code == 401:
                return process, port
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("serve did not come up")


def _wrk(port: int, path: str, method: str, body: str, token: str, clients: int, seconds: int):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    env = {**os.environ, "BENCH_METHOD": method, "BENCH_BODY": body, "BENCH_TOKEN": token}
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(clients, 2)}",
            f"-c{clients}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            f"http://127.0.0.1:{port}{path}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    figures = json.loads(out.strip().splitlines()[-1])
    figures["rate"] = figures["requests"] / figures["seconds"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--clients", default="1,16,64")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"serve --workers {args.workers}; {args.seconds} s per figure; latency in ms")
    print(
        f"{'database':<10} {'clients':>7} {'endpoint':<8} {'req/s':>8} {'p50':>7} {'p95':>7}"
        f" {'p99':>7} {'non-2xx':>7}"
    )
    failed = False
    with tempfile.TemporaryDirectory(prefix="hv-bench-http-") as data_dir:
        for database in args.databases.split(","):
            if database == "sqlite":
                url = f"sqlite:///{Path(data_dir) / 'bench.sqlite3'}"
            else:
                url = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG)
                _prepare_postgres(url)
            setup = _in_child(_prepare, url, data_dir)
            process, port = _serve(url, data_dir, args.workers)
            code, token = setup["code"], setup["token"]
            endpoints = [
                ("ceiling", "/api/v1/me", "GET", ""),
                ("lookup", f"/api/v1/vouchers/{code}", "GET", ""),
                ("redeem", f"/api/v1/vouchers/{code}/redemptions", "POST", '{"amount": "0.01"}'),
            ]
            redeemed = 0
            try:
                for clients in (int(n) for n in args.clients.split(",")):
                    rates = {}
                    for name, path, method, body in endpoints:
                        figures = _wrk(port, path, method, body, token, clients, args.seconds)
                        rates[name] = figures["rate"]
                        if name == "redeem":
                            redeemed += figures["requests"] - figures["non2xx"]
                        failed |= figures["non2xx"] > 0
                        print(
                            f"{database:<10} {clients:>7} {name:<8} {figures['rate']:>8.0f}"
                            f" {figures['p50'] / 1000:>7.1f} {figures['p95'] / 1000:>7.1f}"
                            f" {figures['p99'] / 1000:>7.1f} {figures['non2xx']:>7}"
                        )
                    print(
                        f"{database:<10} {clients:>7} redeem/ceiling"
                        f" {rates['redeem'] / rates['ceiling']:.0%}"
                    )
            finally:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)
            balance, ledger, entries = _in_child(_check, url, data_dir, setup["voucher_id"])
            ok = balance == ledger and balance == 100_000_000 - entries
            failed |= not ok
            print(
                f"{database:<10} balance {balance} == ledger sum {ledger}, {entries} redemptions"
                f" (wrk counted {redeemed} answers): {ok}"
            )
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
