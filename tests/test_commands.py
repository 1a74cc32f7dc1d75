"""The console commands of DESIGN.md, called as a person or a script would."""

import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from django.core.management import CommandError, call_command

from hotel_vouchers.api_clients.models import ApiClient
from hotel_vouchers.api_clients.services import api_client_authenticate
from hotel_vouchers.catalog.models import VoucherProduct
from hotel_vouchers.core.codes import parse_code
from hotel_vouchers.properties.models import Hotel, Location, Organisation
from hotel_vouchers.vouchers.models import LedgerEntry, Voucher


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def counts():
    return [
        m.objects.count()
        for m in (Organisation, Hotel, Location, VoucherProduct, Voucher, LedgerEntry)
    ]


def test_demo_loads_design_data_and_a_second_run_changes_nothing(db):
    first = run("demo")
    assert "as admin with password " in first
    org = Organisation.objects.get(slug="demo")
    assert org.currency == "EUR"
    assert set(org.hotels.values_list("slug", flat=True)) == {"alpenhof", "seeblick"}
    assert set(Location.objects.filter(hotel__slug="alpenhof").values_list("slug", flat=True)) == {
        "front-desk",
        "restaurant",
        "bar",
        "spa",
    }
    assert list(Location.objects.filter(hotel__slug="seeblick").values_list("slug", flat=True)) == [
        "front-desk"
    ]
    value = VoucherProduct.objects.get(name="Wertgutschein")
    assert (value.value_min_minor, value.value_max_minor, value.cross_hotel) == (2500, 100000, True)
    stay = VoucherProduct.objects.get(name="Romantik-Wochenende")
    assert (stay.type, stay.nights, stay.persons, stay.room_prices.count()) == ("stay", 2, 2, 2)
    assert VoucherProduct.objects.filter(type="services").count() == 2
    dinner = VoucherProduct.objects.get(name="Dinner & Spa")
    positions = [
        (
            p.subcode,
            p.label,
            p.amount_minor,
            p.partial_allowed,
            [loc.slug for loc in p.locations.all()],
        )
        for p in dinner.positions.all()
    ]
    assert positions == [
        ("a", "Aperitif", 1200, False, ["bar"]),
        ("m", "Menü", 8900, False, ["restaurant"]),
        ("s", "Spa-Guthaben", 4500, True, ["spa"]),
    ]
    assert dinner.cross_hotel is False and dinner.hotel.slug == "alpenhof"
    before = counts()
    second = run("demo")
    assert "nothing changed" in second
    assert counts() == before


def test_create_api_client_prints_a_working_token_once(db):
    run("demo")
    out = run(
        "create_api_client",
        "--organization",
        "demo",
        "--location",
        "alpenhof/bar",
        "--scopes",
        "vouchers:read,vouchers:redeem",
        "--name",
        "Bar POS",
        "--json",
    )
    data = json.loads(out)
    client = api_client_authenticate(token=data["token"])
    assert client.pk == data["id"]
    assert (client.hotel.slug, client.location.slug) == ("alpenhof", "bar")
    assert client.scopes == ["vouchers:read", "vouchers:redeem"]


@pytest.mark.parametrize(
    "args",
    [
        ["--organization", "nope", "--scopes", "sync", "--name", "x"],
        ["--organization", "demo", "--scopes", "root", "--name", "x"],
        ["--organization", "demo", "--hotel", "nope", "--scopes", "sync", "--name", "x"],
        ["--organization", "demo", "--location", "front-desk", "--scopes", "sync", "--name", "x"],
    ],
)
def test_create_api_client_refuses_bad_arguments_clearly(db, args):
    run("demo")
    with pytest.raises(CommandError):
        run("create_api_client", *args)
    assert ApiClient.objects.count() == 0


def test_issue_vouchers_prints_codes(db):
    run("demo")
    product = VoucherProduct.objects.get(name="Wertgutschein")
    out = run(
        "issue_vouchers",
        "--product",
        str(product.pk),
        "--count",
        "3",
        "--value",
        "40",
        "--paid",
        "--format",
        "json",
    )
    rows = json.loads(out)
    assert len(rows) == 3
    for row in rows:
        voucher = Voucher.objects.get(code=parse_code(row["code"]).code)
        assert (row["value"], voucher.status) == ("40.00", "active")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_a_real_server_and_stops_on_sigterm(tmp_path):
    # Given a fresh data folder, when `serve` starts, then the admin answers over HTTP
    port = _free_port()
    env = {**os.environ, "HOTEL_VOUCHERS_DATA_DIR": str(tmp_path), "DEBUG": ""}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hotel_vouchers",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(line.decode() for line in server.stdout), daemon=True
    )
    reader.start()
    try:
        body = None
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/") as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.25)
        assert body is not None and "csrfmiddlewaretoken" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/admin/css/base.css") as r:
            assert r.status == 200
        # and the background worker has started beside the web server
        deadline = time.monotonic() + 30
        while not any("worker started" in line for line in lines):
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
    finally:
        # When it gets SIGTERM, then web server and worker stop cleanly
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        reader.join(timeout=10)
    output = "".join(lines)
    assert server.returncode == 0, output
    assert "worker stopped" in output
