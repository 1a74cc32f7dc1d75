"""Drawing voucher pages with fpdf2. No database: the services hand in plain data.

Speed (DESIGN.md: a voucher PDF in under 30 ms) comes from caches per
process, because fpdf2 spends far more time on fonts than on drawing:

- the shipped fonts are parsed once, and each document gets a fresh copy of
  the parsed font (fpdf2 parses a TTF anew on every `add_font`);
- each font is embedded as a cached cut that holds the common Latin
  characters plus those the document uses (~12 kB compressed), instead of
  fpdf2 subsetting the font anew for every document;
- motifs are cropped and encoded as JPEG once;
- only the fonts a layout uses are embedded.
"""

from __future__ import annotations

import copy
import functools
import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import segno
from fontTools import subset as ftsubset
from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import MethodReturnValue
from fpdf.fonts import SubsetMap, TTFFont
from PIL import Image

from hotel_vouchers.documents.code128 import QUIET_ZONE_MODULES, NotEncodable, code128b_bars
from hotel_vouchers.documents.layouts import DEFAULT_FONT, FONT_DIR, FONTS, rgb
from hotel_vouchers.documents.placeholders import substitute

logger = logging.getLogger(__name__)

PT_PER_MM = 72 / 25.4
MIN_TEXT_PT = 6.0
QR_QUIET_ZONE = 4  # modules, as the QR specification asks


@dataclass(frozen=True)
class PositionLine:
    subcode: str
    label: str
    amount: str  # formatted for the voucher's language
    code: str  # the position's own code: `a.EDQR-TU3A-M3F7`


@dataclass(frozen=True)
class VoucherContent:
    """What is printed on one voucher: the code and the placeholder values."""

    code: str
    values: dict[str, str]
    positions: Sequence[PositionLine] = ()


@dataclass(frozen=True)
class Motif:
    """A motif image file; `version` (e.g. its mtime) invalidates the cache."""

    path: str
    version: float = 0


@dataclass(frozen=True)
class PageLayout:
    width: float
    height: float
    boxes: Sequence[dict[str, Any]]
    motif: Motif | None = None
    fonts: frozenset[str] = field(default=frozenset())

    @classmethod
    def of(
        cls, *, width: float, height: float, boxes: Sequence[dict[str, Any]], motif: Motif | None
    ) -> PageLayout:
        used = {box.get("font", DEFAULT_FONT) for box in boxes if box["kind"] == "text"}
        used |= {
            box.get("font", DEFAULT_FONT)
            for box in boxes
            if box["kind"] in ("positions", "barcode")
        }
        return cls(width=width, height=height, boxes=boxes, motif=motif, fonts=frozenset(used))


# --- fonts --------------------------------------------------------------------


@functools.cache
def _font_file(name: str) -> bytes:
    return (FONT_DIR / FONTS[name]).read_bytes()


@functools.cache
def _font_parsed(name: str) -> TTFFont:
    """The font parsed once per process (widths, character map, metrics)."""
    scratch = FPDF()
    scratch.add_font(family=name, fname=FONT_DIR / FONTS[name])
    return scratch.fonts[name.lower()]


def _font_add(pdf: FPDF, name: str) -> None:
    """Add a shipped font to a document, reusing the parsed font.

    What a document changes while it writes the font (the glyph subset, the
    fontTools object that is subset in place, the descriptor that gets the
    embedded file) is fresh per document; the rest is read-only and shared."""
    key = name.lower()
    if key in pdf.fonts:
        return
    try:
        font = copy.copy(_font_parsed(name))
        font.i = len(pdf.fonts) + 1
        font.ttfont = ttLib.TTFont(io.BytesIO(_font_file(name)), recalcTimestamp=False, lazy=True)
        font.desc = copy.copy(font.desc)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        font.subset = SubsetMap(font)
    except AttributeError:  # pragma: no cover - an fpdf2 whose font object changed
        logger.warning("Parsed-font reuse unavailable; parsing %s per document.", name)
        pdf.add_font(family=name, fname=FONT_DIR / FONTS[name])
        return
    pdf.fonts[key] = font


# Characters most vouchers in de/en/it/fr use: every cached cut of a font has them,
# so that one cut serves nearly every voucher.
BASE_CHARACTERS = (
    "".join(chr(c) for c in range(0x20, 0x7F))
    + "".join(chr(c) for c in range(0xA0, 0x100))
    # euro sign, quotation marks, dashes, ellipsis, bullet, narrow no-break space
    + "\u20ac\u201a\u2018\u2019\u201e\u201c\u201d\u2013\u2014\u2026\u2022\u2039\u203a\u202f"
)


@functools.cache
def _base_glyphs(name: str) -> frozenset[str]:
    cmap = _font_parsed(name).cmap
    return frozenset(cmap[ord(c)] for c in BASE_CHARACTERS if ord(c) in cmap)


class _CutFont(ttLib.TTFont):
    """A font cut once per process, embedded in each document as it is."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data), recalcTimestamp=False, recalcBBoxes=False, lazy=True)
        self.cut_data = data

    def save(self, file: Any, reorderTables: bool | None = True) -> None:
        if _SKIPS_CUT_FONTS and hasattr(file, "write"):
            file.write(self.cut_data)
        else:  # pragma: no cover - fpdf2 subset the font itself: write what it made
            super().save(file, reorderTables)


class _SubsetterSkippingCutFonts(ftsubset.Subsetter):
    def subset(self, font: ttLib.TTFont) -> None:
        if not isinstance(font, _CutFont):
            super().subset(font)


class _FontSubsetModule:
    """fontTools.subset as fpdf2 sees it: cut fonts are not subset again (each
    subsetting costs ~5 ms a font, more than drawing the voucher). Every other
    font is subset as before, so fpdf2 used elsewhere is unaffected."""

    Subsetter = _SubsetterSkippingCutFonts

    def __getattr__(self, name: str) -> Any:
        return getattr(ftsubset, name)


def _skip_subsetting_cut_fonts() -> bool:
    import fpdf.output as fpdf_output

    current = getattr(fpdf_output, "ftsubset", None)
    if isinstance(current, _FontSubsetModule):
        return True
    if current is not ftsubset:  # pragma: no cover - an fpdf2 that subsets differently
        logger.warning("fpdf2 subsets fonts differently; voucher PDFs will be slower.")
        return False
    fpdf_output.ftsubset = _FontSubsetModule()
    return True


_SKIPS_CUT_FONTS = _skip_subsetting_cut_fonts()


@functools.lru_cache(maxsize=128)
def _font_cut(name: str, extra: frozenset[str]) -> bytes:
    """The font cut down to the base characters and `extra` glyphs, glyph names kept
    (fpdf2 finds its glyphs by name). ~12 kB a font in the PDF, compressed."""
    ttfont = ttLib.TTFont(io.BytesIO(_font_file(name)), recalcTimestamp=False, recalcBBoxes=False)
    options = ftsubset.Options(
        notdef_outline=True, recommended_glyphs=True, glyph_names=True, layout_features=[]
    )
    options.drop_tables += ["gasp"]
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(glyphs=sorted(_base_glyphs(name) | extra))
    subsetter.subset(ttfont)
    out = io.BytesIO()
    ttfont.save(out)
    return out.getvalue()


def _fonts_cut(pdf: FPDF, names: Iterable[str]) -> None:
    """Give each font the cached cut that holds every glyph the document uses."""
    for name in names:
        font = pdf.fonts.get(name.lower())
        try:
            used = frozenset(font.subset.get_all_glyph_names())
        except AttributeError:  # pragma: no cover - an fpdf2 whose subset map changed
            continue
        font.ttfont = _CutFont(_font_cut(name, used - _base_glyphs(name)))


# --- motifs -------------------------------------------------------------------


@functools.lru_cache(maxsize=64)
def _motif_jpeg(path: str, version: float, width_mm: float, height_mm: float) -> bytes:
    """The motif cropped to the box's proportions (cover), at most ~200 dpi, as JPEG."""
    del version  # part of the cache key only
    with Image.open(path) as image:
        image = image.convert("RGB")
        target = width_mm / height_mm
        w, h = image.size
        if w / h > target:
            new_w = round(h * target)
            left = (w - new_w) // 2
            image = image.crop((left, 0, left + new_w, h))
        else:
            new_h = round(w / target)
            top = (h - new_h) // 2
            image = image.crop((0, top, w, top + new_h))
        max_px = round(width_mm / 25.4 * 200)
        if image.width > max_px:
            image = image.resize((max_px, round(max_px / target)), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85, optimize=True)
        return out.getvalue()


# --- drawing --------------------------------------------------------------------


def _fit_text(pdf: FPDF, text: str, box: dict[str, Any]) -> tuple[list[str], float, float]:
    """Lines, font size and line height so that the text stays inside its box:
    smaller type first, then cut with an ellipsis."""
    size = float(box["size"])
    factor = float(box.get("line_height", 1.3))
    width, height = float(box["w"]), float(box["h"])
    while True:
        pdf.set_font(box["font"], size=size)
        line_height = size / PT_PER_MM * factor
        if "\n" not in text and pdf.get_string_width(text) <= width:
            lines = [text]  # most boxes hold one short line: no line breaking needed
        else:
            lines = [
                line
                for paragraph in text.split("\n")
                for line in (
                    pdf.multi_cell(
                        width, line_height, paragraph, dry_run=True, output=MethodReturnValue.LINES
                    )
                    if paragraph
                    else [""]
                )
            ]
        fits = len(lines) * line_height <= height + 0.01
        if fits or size <= MIN_TEXT_PT:
            break
        size = max(MIN_TEXT_PT, size * 0.9)
    if not fits:
        keep = max(1, int((height + 0.01) // line_height))
        lines = lines[:keep]
        last = lines[-1].rstrip()
        while last and pdf.get_string_width(last + "…") > width:
            last = last[:-1].rstrip()
        lines[-1] = last + "…"
    return lines, size, line_height


def _line(
    pdf: FPDF, x: float, y: float, width: float, height: float, text: str, align: str
) -> None:
    """One line of text in the current font, vertically centred in its line as
    `cell()` would, but without `cell()`'s cost."""
    if not text:
        return
    if align != "left":
        free = width - pdf.get_string_width(text)
        x += free / 2 if align == "center" else free
    pdf.text(x, y + 0.5 * height + 0.3 * pdf.font_size, text)


def _draw_text(pdf: FPDF, box: dict[str, Any], content: VoucherContent) -> None:
    text = substitute(box["template"], content.values).strip()
    if not text:
        return
    lines, _size, line_height = _fit_text(pdf, text, box)
    pdf.set_text_color(*rgb(box.get("colour", "#000000")))
    align = box.get("align", "left")
    x, y, width = float(box["x"]), float(box["y"]), float(box["w"])
    for line in lines:
        _line(pdf, x, y, width, line_height, line, align)
        y += line_height


def _draw_positions(pdf: FPDF, box: dict[str, Any], content: VoucherContent) -> None:
    if not content.positions:
        return
    font, size = box.get("font", DEFAULT_FONT), float(box.get("size", 10))
    colour = rgb(box.get("colour", "#000000"))
    x, y, width = float(box["x"]), float(box["y"]), float(box["w"])
    line_height = size / PT_PER_MM * 1.45
    rows = min(len(content.positions), max(1, int((float(box["h"]) + 0.01) // line_height)))
    pdf.set_font(font, size=size)
    pdf.set_text_color(*colour)
    code_w = max(pdf.get_string_width(p.code) for p in content.positions) + 6
    amount_w = max(pdf.get_string_width(p.amount) for p in content.positions) + 6
    label_w = max(10.0, width - code_w - amount_w)
    for position in content.positions[:rows]:
        label = f"{position.subcode}. {position.label}"
        while pdf.get_string_width(label) > label_w - 1 and len(label) > 4:
            label = label[:-2] + "…"
        _line(pdf, x, y, label_w, line_height, label, "left")
        _line(pdf, x + label_w, y, amount_w, line_height, position.amount, "right")
        _line(pdf, x + label_w + amount_w, y, code_w, line_height, position.code, "right")
        y += line_height
    pdf.set_draw_color(*colour)
    pdf.set_line_width(0.15)
    rule_y = float(box["y"]) + rows * line_height + 0.5
    pdf.line(x, rule_y, x + width, rule_y)


def _draw_qr(pdf: FPDF, box: dict[str, Any], content: VoucherContent) -> None:
    qr = segno.make_qr(content.code, error="m")
    matrix = qr.matrix
    modules = len(matrix) + 2 * QR_QUIET_ZONE
    side = min(float(box["w"]), float(box["h"]))
    module = side / modules
    left = float(box["x"]) + (float(box["w"]) - side) / 2
    top = float(box["y"]) + (float(box["h"]) - side) / 2
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(left, top, side, side, style="F")
    pdf.set_fill_color(0, 0, 0)
    origin_x = left + QR_QUIET_ZONE * module
    origin_y = top + QR_QUIET_ZONE * module
    for row_index, row in enumerate(matrix):
        run_start = None
        for col_index, dark in enumerate([*row, 0]):
            if dark and run_start is None:
                run_start = col_index
            elif not dark and run_start is not None:
                # Rectangles a hair wider than their module close the seams renderers leave.
                pdf.rect(
                    origin_x + run_start * module,
                    origin_y + row_index * module,
                    (col_index - run_start) * module + 0.01,
                    module + 0.01,
                    style="F",
                )
                run_start = None


def _draw_barcode(pdf: FPDF, box: dict[str, Any], content: VoucherContent) -> None:
    try:
        bars, symbol_modules = code128b_bars(content.code)
    except NotEncodable:  # codes are letters, digits and dashes; never fail a voucher on it
        logger.warning("Code %r cannot be a Code 128 B barcode; left out.", content.code)
        return
    x, y, width, height = (float(box[key]) for key in ("x", "y", "w", "h"))
    module = width / (symbol_modules + 2 * QUIET_ZONE_MODULES)
    readable = box.get("human_readable", True)
    text_h = min(5.0, height * 0.3) if readable else 0.0
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, width, height, style="F")
    pdf.set_fill_color(0, 0, 0)
    start = x + QUIET_ZONE_MODULES * module
    for offset, bar_width in bars:
        pdf.rect(start + offset * module, y, bar_width * module, height - text_h, style="F")
    if readable:
        pdf.set_font(DEFAULT_FONT, size=min(9.0, text_h * PT_PER_MM * 0.8))
        pdf.set_text_color(0, 0, 0)
        _line(pdf, x, y + height - text_h, width, text_h, content.code, "center")


def _draw_motif(pdf: FPDF, motif: Motif | None, x: float, y: float, w: float, h: float) -> None:
    if motif is None:
        return
    data = _motif_jpeg(motif.path, motif.version, round(w, 2), round(h, 2))
    pdf.image(io.BytesIO(data), x=x, y=y, w=w, h=h)


def _draw_panel(pdf: FPDF, box: dict[str, Any]) -> None:
    pdf.set_fill_color(*rgb(box.get("colour", "#ffffff")))
    with pdf.local_context(fill_opacity=float(box.get("opacity", 1))):
        pdf.rect(float(box["x"]), float(box["y"]), float(box["w"]), float(box["h"]), style="F")


def _draw_page(pdf: FPDF, page: PageLayout, content: VoucherContent) -> None:
    pdf.add_page(format=(page.width, page.height))
    if not any(box["kind"] == "motif" for box in page.boxes):
        _draw_motif(pdf, page.motif, 0, 0, page.width, page.height)
    for box in page.boxes:
        kind = box["kind"]
        if kind == "text":
            _draw_text(pdf, box, content)
        elif kind == "positions":
            _draw_positions(pdf, box, content)
        elif kind == "qr":
            _draw_qr(pdf, box, content)
        elif kind == "barcode":
            _draw_barcode(pdf, box, content)
        elif kind == "motif":
            _draw_motif(pdf, page.motif, box["x"], box["y"], box["w"], box["h"])
        elif kind == "panel":
            _draw_panel(pdf, box)


def pdf_pages_render(pages: Iterable[tuple[PageLayout, VoucherContent]], *, title: str) -> bytes:
    """One PDF with a page per (layout, voucher)."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0
    pdf.set_title(title)
    pdf.set_creator("hotel-vouchers")
    fonts: set[str] = set()
    count = 0
    for page, content in pages:
        for name in sorted(page.fonts - fonts):
            _font_add(pdf, name)
            fonts.add(name)
        _draw_page(pdf, page, content)
        count += 1
    if not count:
        raise ValueError("No pages to render.")
    _fonts_cut(pdf, fonts)
    return bytes(pdf.output())
