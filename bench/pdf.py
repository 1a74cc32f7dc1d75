"""Voucher PDF rendering: one voucher per PDF, and many vouchers in one PDF.

In a temporary SQLite database, issues `--count` vouchers of the demo's
Dinner & Spa (three positions) with recipients and dedications in several
scripts, loads the demo layouts and motifs, then measures:

- single: `voucher_pdf_render(voucher=...)` for each voucher, one PDF each,
  with the built-in layout and with the demo's A4 and DL layouts (with their
  motifs); the median and p95 per voucher are printed;
- batch: `vouchers_pdf_render(vouchers=...)` of `--batch` vouchers into one
  PDF (built-in layout); the total time and the time per voucher.

The first render of a process (parsing the fonts, cutting them, cropping the
motif) is timed apart: it is paid once per worker process.

    .venv/bin/python bench/pdf.py [--count 300] [--batch 1000]

DESIGN.md's target: a voucher PDF in under 30 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.redeem import _in_child, _setup_django  # noqa: E402

RECIPIENTS = ["Anna Müller", "Zoë Dubois", "Łukasz Wójcik", "Ђорђе Петровић", "Σοφία", "Jörg Weiß"]


def _prepare(database_url: str, data_dir: str, count: int) -> list[int]:
    """Migrate, load the demo layouts and issue `count` vouchers; their ids."""
    _setup_django(database_url, data_dir)
    from django.core.management import call_command

    from hotel_vouchers.catalog.models import ProductPosition, VoucherProduct
    from hotel_vouchers.documents.services import documents_demo_load
    from hotel_vouchers.properties.models import Hotel, Organisation
    from hotel_vouchers.vouchers.services import voucher_issue

    call_command("migrate", verbosity=0)
    org = Organisation.objects.create(slug="bench", name="Bench", currency="EUR")
    hotel = Hotel.objects.create(organisation=org, slug="alpenhof", name="Hotel Alpenhof")
    product = VoucherProduct.objects.create(
        organisation=org, hotel=hotel, name="Dinner & Spa", type="services"
    )
    for order, (letter, label, minor) in enumerate(
        [("a", "Aperitif", 1200), ("m", "Menü", 8900), ("s", "Spa-Guthaben", 4500)]
    ):
        ProductPosition.objects.create(
            product=product, label=label, amount_minor=minor, subcode=letter, sort_order=order
        )
    documents_demo_load(organisation=org)
    ids = []
    for n in range(count):
        voucher = voucher_issue(
            organisation=org,
            hotel=hotel,
            product=product,
            actor="bench",
            paid=True,
            recipient_name=RECIPIENTS[n % len(RECIPIENTS)],
            dedication=f"Alles Gute zum {20 + n % 60}. Geburtstag! Genieße den Abend im Alpenhof.",
        )
        ids.append(voucher.pk)
    return ids


def _measure(database_url: str, data_dir: str, ids: list[int], batch: int) -> dict:
    _setup_django(database_url, data_dir)
    from hotel_vouchers.documents.models import Layout
    from hotel_vouchers.documents.services import voucher_pdf_render, vouchers_pdf_render
    from hotel_vouchers.vouchers.models import Voucher

    vouchers = list(Voucher.objects.select_related("hotel", "product").filter(pk__in=ids))
    layouts = {"built-in A4": None}
    for layout in Layout.objects.select_related("background").order_by("name"):
        layouts[f"{layout.name} ({layout.page_size})"] = layout

    start = time.perf_counter()
    voucher_pdf_render(voucher=vouchers[0])
    first_ms = (time.perf_counter() - start) * 1000

    single: dict[str, tuple[float, float, int]] = {}
    for name, layout in layouts.items():
        voucher_pdf_render(voucher=vouchers[0], layout=layout)  # motif crop, once per process
        times, size = [], 0
        for voucher in vouchers:
            start = time.perf_counter()
            pdf = voucher_pdf_render(voucher=voucher, layout=layout)
            times.append((time.perf_counter() - start) * 1000)
            size += len(pdf)
        p95 = statistics.quantiles(times, n=20)[-1]
        single[name] = (statistics.median(times), p95, size // len(vouchers))

    many = (vouchers * (batch // len(vouchers) + 1))[:batch]
    start = time.perf_counter()
    pdf = vouchers_pdf_render(vouchers=many)
    batch_s = time.perf_counter() - start
    return {"first_ms": first_ms, "single": single, "batch_s": batch_s, "batch_bytes": len(pdf)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300, help="vouchers rendered one by one")
    parser.add_argument("--batch", type=int, default=1000, help="vouchers in the one-PDF batch")
    args = parser.parse_args()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    print(f"python {platform.python_version()}; SQLite; {args.count} vouchers with 3 positions")
    with tempfile.TemporaryDirectory(prefix="hv-bench-pdf-") as data_dir:
        url = f"sqlite:///{Path(data_dir) / 'bench.sqlite3'}"
        ids = _in_child(_prepare, url, data_dir, args.count)
        result = _in_child(_measure, url, data_dir, ids, args.batch)
    print(f"first PDF of a process (fonts parsed and cut): {result['first_ms']:.1f} ms")
    print(f"{'one voucher per PDF':<26} {'median ms':>10} {'p95 ms':>8} {'kB/PDF':>8}")
    for name, (median, p95, size) in result["single"].items():
        print(f"{name:<26} {median:>10.1f} {p95:>8.1f} {size / 1000:>8.0f}")
    per = result["batch_s"] / args.batch * 1000
    print(
        f"batch: {args.batch} vouchers in one PDF: {result['batch_s']:.2f} s "
        f"({per:.1f} ms a voucher, {result['batch_bytes'] / 1e6:.1f} MB)"
    )
    worst = max(median for median, _, _ in result["single"].values())
    print(f"target < 30 ms a voucher: {'met' if worst < 30 and per < 30 else 'NOT met'}")


if __name__ == "__main__":
    main()
