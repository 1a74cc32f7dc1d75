import subprocess
from pathlib import Path

import pytest

from hotel_vouchers.documents.services import documents_demo_load
from hotel_vouchers.vouchers.services import voucher_issue


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # Motifs are drawn into MEDIA_ROOT: one folder per test.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dinner_voucher(org, hotel_a, dinner_spa):
    return voucher_issue(
        organisation=org,
        hotel=hotel_a,
        product=dinner_spa,
        paid=True,
        actor="test",
        recipient_name="Anna Müller",
        dedication="Alles Gute zum Geburtstag! Genieße den Abend.",
    )


@pytest.fixture
def demo_layouts(org):
    documents_demo_load(organisation=org)
    return org


def pdf_to_png(pdf: bytes, folder: Path, dpi: int = 150) -> list[Path]:
    """Each page as a PNG (Debian poppler-utils)."""
    source = folder / "voucher.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(source), str(folder / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return sorted(folder.glob("page*.png"))


def decoded(png: Path) -> list[str]:
    """Every symbol zbarimg (Debian zbar-tools) reads, as `TYPE:data`."""
    result = subprocess.run(
        ["zbarimg", "--quiet", str(png)], capture_output=True, text=True, timeout=60
    )
    return result.stdout.splitlines()
