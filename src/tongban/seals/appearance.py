"""The round red seal (公章) drawn from a department's name: the name along the upper arc, a
five-pointed star in the middle, as SVG and as a transparent PNG for the PDF signature.

The PNG needs a CJK font; Debian's fonts-noto-cjk is installed by the project's set-up.
"""

from __future__ import annotations

import io
import math
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape as _escape

from PIL import Image, ImageDraw, ImageFont

SEAL_RED = (204, 0, 0, 255)


def escape(text: str) -> str:
    """XML-escaped for element text and for attribute values in double quotes."""
    return _escape(text, {'"': "&quot;", "'": "&apos;"})


FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
ARC_DEGREES = 250  # how much of the circle the name may cover, centred on the top


class FontMissing(RuntimeError):
    """No CJK font to draw the seal with."""


@lru_cache(maxsize=1)
def font_path() -> str:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    raise FontMissing("no CJK font found: install Debian's fonts-noto-cjk (make system)")


def _star(cx: float, cy: float, outer: float) -> list[tuple[float, float]]:
    inner = outer * 0.382
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return points


def _layout(name: str, size: int) -> tuple[float, float, list[float]]:
    """Glyph size, radius of the text circle and each character's angle (degrees clockwise from
    the top): the name spread over up to ``ARC_DEGREES``, as large as the spacing allows."""
    count = max(len(name), 1)
    radius = size * 0.345
    span = min(ARC_DEGREES, max(160, 24 * (count - 1)))
    angles = [-span / 2 + span * i / (count - 1) for i in range(count)] if count > 1 else [0.0]
    spacing = radius * math.radians(span / (count - 1)) if count > 1 else size
    return min(size * 0.12, spacing * 0.9), radius, angles


def svg(name: str, size: int = 200) -> str:
    """The seal as an SVG document (characters placed one by one, so it needs no textPath)."""
    c = size / 2
    ring = size * 0.03
    glyph, radius_text, angles = _layout(name, size)
    star = " ".join(f"{x:.1f},{y:.1f}" for x, y in _star(c, c, size * 0.17))
    chars = []
    for ch, angle in zip(name, angles, strict=True):
        rad = math.radians(angle)
        x, y = c + radius_text * math.sin(rad), c - radius_text * math.cos(rad)
        chars.append(
            f'<text x="{x:.1f}" y="{y:.1f}" transform="rotate({angle:.1f} {x:.1f} {y:.1f})" '
            f'font-size="{glyph:.1f}" text-anchor="middle" dominant-baseline="central">'
            f"{escape(ch)}</text>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" '
        f'height="{size}" role="img" aria-label="{escape(name)}">'
        f'<g fill="#cc0000" font-family="Noto Serif CJK SC, serif" font-weight="bold">'
        f'<circle cx="{c}" cy="{c}" r="{c - ring}" fill="none" stroke="#cc0000" '
        f'stroke-width="{ring * 1.6:.1f}"/>'
        f'<polygon points="{star}"/>{"".join(chars)}</g></svg>'
    )


@lru_cache(maxsize=128)
def png(name: str, size: int = 600) -> bytes:
    """The seal as a transparent PNG, drawn with a CJK font (``FontMissing`` without one)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c = size / 2
    ring = size * 0.03
    draw.ellipse(
        (ring, ring, size - ring, size - ring), outline=SEAL_RED, width=max(int(ring * 1.6), 2)
    )
    draw.polygon(_star(c, c, size * 0.17), fill=SEAL_RED)
    size_f, radius_text, angles = _layout(name, size)
    glyph = int(size_f)
    font = ImageFont.truetype(font_path(), glyph)
    for ch, angle in zip(name, angles, strict=True):
        tile = Image.new("RGBA", (glyph * 2, glyph * 2), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text((glyph, glyph), ch, font=font, fill=SEAL_RED, anchor="mm")
        tile = tile.rotate(-angle, resample=Image.Resampling.BICUBIC)
        rad = math.radians(angle)
        x, y = c + radius_text * math.sin(rad), c - radius_text * math.cos(rad)
        image.alpha_composite(tile, (int(x - glyph), int(y - glyph)))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@lru_cache(maxsize=256)
def signature_png(name: str, width: int = 600) -> bytes:
    """A personal signature (个人签名): the name in red inside a thin frame, transparent, square
    like the seal box it is placed in."""
    image = Image.new("RGBA", (width, width), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    box = (int(width * 0.04), int(width * 0.3), int(width * 0.96), int(width * 0.7))
    draw.rectangle(box, outline=SEAL_RED, width=max(width // 60, 2))
    size = int(min(width * 0.22, (box[2] - box[0]) * 0.9 / max(len(name), 1)))
    font = ImageFont.truetype(font_path(), size)
    draw.text((width / 2, width / 2), name, font=font, fill=SEAL_RED, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
