"""Layouts as data: page sizes, the shipped fonts, and the boxes of a layout.

Pure: no Django. A layout is a page (A4, A5 or DL, portrait or landscape)
and a list of boxes, each a dict with `kind` and its place in millimetres
from the top left corner (`x`, `y`, `w`, `h`):

- `text`: `template` (with placeholders), `font` (one of FONTS), `size` (pt),
  `colour` (#rrggbb), `align` (left, center, right); optional `line_height`
  (a factor of the size, default 1.3). Text that does not fit is set smaller,
  down to 6 pt, then cut with an ellipsis: nothing ever leaves its box.
- `qr`: the QR code of the voucher code, as large a square as fits.
- `barcode`: the Code 128 barcode of the code; `human_readable` (default
  true) prints the code below the bars.
- `positions`: one line per position (`a. Aperitif 12,00 € a.CODE`); optional
  `font`, `size`, `colour`.
- `motif`: the motif, cropped to fill the box. Without a motif box the motif
  fills the page behind everything.
- `panel`: a filled rectangle behind text, `colour` and `opacity` (0-1).

`layout_boxes_validate` raises ValidationError(field="boxes") naming the box.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from hotel_vouchers.core.errors import ValidationError
from hotel_vouchers.documents.placeholders import PLACEHOLDERS, unknown_placeholders

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONTS: dict[str, str] = {
    "DejaVu Sans": "DejaVuSans.ttf",
    "DejaVu Sans Bold": "DejaVuSans-Bold.ttf",
    "DejaVu Serif Bold": "DejaVuSerif-Bold.ttf",
    "DejaVu Serif Italic": "DejaVuSerif-Italic.ttf",
}
DEFAULT_FONT = "DejaVu Sans"

# Portrait width and height in millimetres. DL is the long format (1/3 A4).
PAGE_SIZES: dict[str, tuple[float, float]] = {"A4": (210, 297), "A5": (148, 210), "DL": (99, 210)}
ORIENTATIONS = ("portrait", "landscape")
KINDS = ("text", "qr", "barcode", "positions", "motif", "panel")
ALIGNS = ("left", "center", "right")
MIN_SIZE_PT, MAX_SIZE_PT = 4, 96
MAX_BOXES = 50
MAX_TEMPLATE = 2000
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# A QR code or barcode smaller than this does not scan at 150 dpi.
MIN_QR_MM = 15
MIN_BARCODE_MM = (40, 8)
_EDGE = 0.01  # rounding slack when a box ends exactly at the page edge

_KEYS = {
    "text": {"template", "font", "size", "colour", "align", "line_height"},
    "qr": set(),
    "barcode": {"human_readable"},
    "positions": {"font", "size", "colour"},
    "motif": set(),
    "panel": {"colour", "opacity"},
}


def page_dimensions(page_size: str, orientation: str) -> tuple[float, float]:
    """Width and height in millimetres."""
    width, height = PAGE_SIZES[page_size]
    return (height, width) if orientation == "landscape" else (width, height)


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _number(box: dict[str, Any], key: str, where: str) -> float:
    value = box.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"{where}: `{key}` must be a number of millimetres.", field="boxes")
    if value < 0:
        raise ValidationError(f"{where}: `{key}` must not be negative.", field="boxes")
    return float(value)


def _colour(box: dict[str, Any], where: str, *, default: str) -> None:
    colour = box.get("colour", default)
    if not isinstance(colour, str) or not COLOUR.match(colour):
        raise ValidationError(
            f"{where}: colour {colour!r} is not of the form #rrggbb.", field="boxes"
        )


def _font(box: dict[str, Any], where: str, *, required: bool) -> None:
    if "font" not in box and not required:
        return
    font = box.get("font")
    if font not in FONTS:
        raise ValidationError(
            f"{where}: unknown font {font!r}; use one of {', '.join(FONTS)}.", field="boxes"
        )


def _size(box: dict[str, Any], where: str, *, required: bool) -> None:
    if "size" not in box and not required:
        return
    size = box.get("size")
    if isinstance(size, bool) or not isinstance(size, int | float):
        raise ValidationError(f"{where}: `size` must be a number of points.", field="boxes")
    if not MIN_SIZE_PT <= size <= MAX_SIZE_PT:
        raise ValidationError(
            f"{where}: size {size} pt is outside {MIN_SIZE_PT}-{MAX_SIZE_PT} pt.", field="boxes"
        )


def _box_validate(box: Any, number: int, page: tuple[float, float]) -> None:
    if not isinstance(box, dict):
        raise ValidationError(f"Box {number} is not an object.", field="boxes")
    kind = box.get("kind")
    if kind not in KINDS:
        raise ValidationError(
            f"Box {number}: unknown kind {kind!r}; use one of {', '.join(KINDS)}.", field="boxes"
        )
    where = f"Box {number} ({kind})"
    unexpected = set(box) - {"kind", "x", "y", "w", "h"} - _KEYS[kind]
    if unexpected:
        raise ValidationError(
            f"{where}: unexpected key(s) {', '.join(sorted(unexpected))}.", field="boxes"
        )
    x, y, w, h = (_number(box, key, where) for key in ("x", "y", "w", "h"))
    if w <= 0 or h <= 0:
        raise ValidationError(f"{where}: width and height must be positive.", field="boxes")
    page_w, page_h = page
    if x + w > page_w + _EDGE or y + h > page_h + _EDGE:
        raise ValidationError(
            f"{where}: reaches {x + w:g} x {y + h:g} mm, outside the page of "
            f"{page_w:g} x {page_h:g} mm.",
            field="boxes",
        )
    if kind == "text":
        template = box.get("template")
        if not isinstance(template, str) or not template.strip():
            raise ValidationError(f"{where}: `template` must be a non-empty text.", field="boxes")
        if len(template) > MAX_TEMPLATE:
            raise ValidationError(
                f"{where}: the template is longer than {MAX_TEMPLATE} characters.", field="boxes"
            )
        unknown = unknown_placeholders(template)
        if unknown:
            raise ValidationError(
                f"{where}: unknown placeholder(s) {', '.join(f'#{n}#' for n in unknown)}; "
                f"known: {', '.join(f'#{n}#' for n in PLACEHOLDERS)}.",
                field="boxes",
            )
        _font(box, where, required=True)
        _size(box, where, required=True)
        _colour(box, where, default="#000000")
        if box.get("align", "left") not in ALIGNS:
            raise ValidationError(
                f"{where}: align must be one of {', '.join(ALIGNS)}.", field="boxes"
            )
        line_height = box.get("line_height", 1.3)
        if (
            isinstance(line_height, bool)
            or not isinstance(line_height, int | float)
            or not 0.8 <= line_height <= 3
        ):
            raise ValidationError(f"{where}: line_height must be 0.8-3.", field="boxes")
    elif kind == "positions":
        _font(box, where, required=False)
        _size(box, where, required=False)
        _colour(box, where, default="#000000")
    elif kind == "panel":
        _colour(box, where, default="#ffffff")
        opacity = box.get("opacity", 1)
        if (
            isinstance(opacity, bool)
            or not isinstance(opacity, int | float)
            or not 0 <= opacity <= 1
        ):
            raise ValidationError(f"{where}: opacity must be 0-1.", field="boxes")
    elif kind == "qr" and min(w, h) < MIN_QR_MM:
        raise ValidationError(
            f"{where}: a QR code needs at least {MIN_QR_MM} x {MIN_QR_MM} mm.", field="boxes"
        )
    elif kind == "barcode":
        if w < MIN_BARCODE_MM[0] or h < MIN_BARCODE_MM[1]:
            raise ValidationError(
                f"{where}: a barcode needs at least {MIN_BARCODE_MM[0]} x {MIN_BARCODE_MM[1]} mm.",
                field="boxes",
            )
        if not isinstance(box.get("human_readable", True), bool):
            raise ValidationError(f"{where}: human_readable must be true or false.", field="boxes")


def layout_boxes_validate(*, boxes: Any, page_size: str, orientation: str) -> None:
    """Raise ValidationError(field=...) unless the boxes form a valid layout."""
    if page_size not in PAGE_SIZES:
        raise ValidationError(
            f"Unknown page size {page_size!r}; use one of {', '.join(PAGE_SIZES)}.",
            field="page_size",
        )
    if orientation not in ORIENTATIONS:
        raise ValidationError(
            f"Unknown orientation {orientation!r}; use portrait or landscape.", field="orientation"
        )
    if not isinstance(boxes, list):
        raise ValidationError("Boxes must be a list of objects.", field="boxes")
    if len(boxes) > MAX_BOXES:
        raise ValidationError(f"A layout has at most {MAX_BOXES} boxes.", field="boxes")
    page = page_dimensions(page_size, orientation)
    for number, box in enumerate(boxes, 1):
        _box_validate(box, number, page)


# --- the built-in layout, used when a voucher's product names none -------------

_LABELS = {
    "de": ("Gutschein", "für", "Wert", "Gültig bis", "Gutscheincode"),
    "en": ("Gift voucher", "for", "Value", "Valid until", "Voucher code"),
    "it": ("Buono regalo", "per", "Valore", "Valido fino al", "Codice"),
    "fr": ("Bon cadeau", "pour", "Valeur", "Valable jusqu'au", "Code"),
}


def builtin_boxes(language: str) -> list[dict[str, Any]]:
    """An A4 portrait voucher: motif on top, the texts, then the codes at the foot."""
    title, for_, value, valid, code = _LABELS.get(language, _LABELS["de"])
    ink, accent, grey = "#1f2933", "#8a6d3b", "#52606d"
    return [
        {"kind": "motif", "x": 0, "y": 0, "w": 210, "h": 105},
        {"kind": "text", "x": 15, "y": 113, "w": 180, "h": 9, "template": "#hotel#",
         "font": "DejaVu Sans Bold", "size": 13, "colour": accent, "align": "center"},
        {"kind": "text", "x": 15, "y": 123, "w": 180, "h": 20, "template": title,
         "font": "DejaVu Serif Bold", "size": 34, "colour": ink, "align": "center"},
        {"kind": "text", "x": 15, "y": 144, "w": 180, "h": 9, "template": "#product#",
         "font": "DejaVu Sans", "size": 14, "colour": grey, "align": "center"},
        {"kind": "text", "x": 15, "y": 156, "w": 180, "h": 10,
         "template": f"{for_} #recipient#", "font": "DejaVu Serif Italic", "size": 18,
         "colour": ink, "align": "center"},
        {"kind": "text", "x": 30, "y": 168, "w": 150, "h": 24, "template": "#dedication#",
         "font": "DejaVu Serif Italic", "size": 12, "colour": grey, "align": "center"},
        {"kind": "text", "x": 15, "y": 195, "w": 180, "h": 14,
         "template": f"{value}: #voucher_value#", "font": "DejaVu Sans Bold", "size": 22,
         "colour": ink, "align": "center"},
        {"kind": "positions", "x": 30, "y": 211, "w": 150, "h": 26, "font": "DejaVu Sans",
         "size": 10, "colour": ink},
        {"kind": "qr", "x": 15, "y": 242, "w": 40, "h": 40},
        {"kind": "text", "x": 60, "y": 246, "w": 58, "h": 6, "template": code,
         "font": "DejaVu Sans", "size": 9, "colour": grey, "align": "left"},
        {"kind": "text", "x": 60, "y": 252, "w": 58, "h": 9, "template": "#code#",
         "font": "DejaVu Sans Bold", "size": 15, "colour": ink, "align": "left"},
        {"kind": "text", "x": 60, "y": 263, "w": 58, "h": 12,
         "template": f"{valid}: #valid_until#", "font": "DejaVu Sans", "size": 10,
         "colour": grey, "align": "left"},
        {"kind": "barcode", "x": 122, "y": 250, "w": 73, "h": 22},
    ]  # fmt: skip
