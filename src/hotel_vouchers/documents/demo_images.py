"""The demo's motifs, drawn with Pillow: no photographs to license or ship."""

from __future__ import annotations

import io
import itertools
import random

from PIL import Image, ImageDraw, ImageFilter

SIZE = (1600, 1000)


def _gradient(draw: ImageDraw.ImageDraw, top: tuple, bottom: tuple, height: int) -> None:
    width = SIZE[0]
    for y in range(height):
        t = y / max(1, height - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (width, y)], fill=colour)


def _ridge(rng: random.Random, base: int, amplitude: int, step: int) -> list[tuple[int, int]]:
    points, y = [], base
    for x in range(0, SIZE[0] + step, step):
        y = max(
            base - amplitude,
            min(base + amplitude // 3, y + rng.randint(-amplitude, amplitude) // 3),
        )
        points.append((x, y))
    return points


def alpine_panorama() -> bytes:
    """Sunrise over snow-capped mountains and a pine forest (JPEG)."""
    rng = random.Random(7)
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    _gradient(draw, (246, 196, 140), (168, 206, 232), SIZE[1])
    draw.ellipse((1080, 170, 1260, 350), fill=(255, 236, 190))
    image = image.filter(ImageFilter.GaussianBlur(2))
    draw = ImageDraw.Draw(image)
    ranges = [(560, 260, 90, (122, 140, 170)), (690, 200, 70, (86, 104, 130)),
              (820, 120, 50, (52, 74, 80))]  # fmt: skip
    for index, (base, amplitude, step, colour) in enumerate(ranges):
        ridge = _ridge(rng, base, amplitude, step)
        draw.polygon([*ridge, (SIZE[0], SIZE[1]), (0, SIZE[1])], fill=colour)
        if index < 2:  # snow on the peaks of the far ranges
            for (x1, y1), (x2, y2) in itertools.pairwise(ridge):
                peak = min(y1, y2)
                if peak < base - amplitude // 3:
                    draw.polygon(
                        [(x1, y1), (x2, y2), ((x1 + x2) // 2, peak + 35)], fill=(244, 247, 250)
                    )
    for _ in range(70):  # pines in the foreground
        x, y, h = rng.randint(0, SIZE[0]), rng.randint(860, 1000), rng.randint(80, 170)
        draw.polygon([(x, y - h), (x - h // 4, y), (x + h // 4, y)], fill=(28, 52, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def lake_evening() -> bytes:
    """A lake at dusk with hills and the sun's reflection (JPEG)."""
    rng = random.Random(11)
    image = Image.new("RGB", SIZE)
    draw = ImageDraw.Draw(image)
    horizon = 600
    _gradient(draw, (64, 70, 128), (248, 170, 120), horizon)
    draw.ellipse((700, 430, 900, 630), fill=(255, 214, 150))
    hills = _ridge(rng, 560, 90, 80)
    draw.polygon([*hills, (SIZE[0], horizon), (0, horizon)], fill=(70, 62, 96))
    for y in range(horizon, SIZE[1]):
        t = (y - horizon) / (SIZE[1] - horizon)
        colour = (round(150 - 110 * t), round(120 - 80 * t), round(140 - 60 * t))
        draw.line([(0, y), (SIZE[0], y)], fill=colour)
    for _ in range(160):  # the sun's glitter on the water
        y = rng.randint(horizon + 5, SIZE[1])
        half = rng.randint(10, 90) * (1 - (y - horizon) / (SIZE[1] - horizon) * 0.6)
        x = 800 + rng.randint(-60, 60)
        draw.line([(x - half, y), (x + half, y)], fill=(255, 206, 150), width=3)
    image = image.filter(ImageFilter.GaussianBlur(1.2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()
