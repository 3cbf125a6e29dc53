"""The podcast's artwork: a configured image checked against Apple's rules, or a generated cover.

Artwork files are named after their content (`artwork/podcast-<hash>.png`): when the image
changes its URL changes, so apps and CDNs never keep showing the old one."""

from __future__ import annotations

import functools
import hashlib
import io
import re
import textwrap
import unicodedata
from dataclasses import dataclass
from importlib import resources
from PIL import Image, ImageDraw, ImageFont

from audioarticles.config import Settings
from audioarticles.cover_rules import FORMATS, cover_format
from audioarticles.errors import UsageError
from audioarticles.publish.channel import Channel
from audioarticles.store.interfaces import FileStore

DEFAULT_SIZE = 1400
ARTWORK_DIR = "artwork"

BACKGROUND = (12, 59, 92)
ACCENT = (255, 191, 71)
TEXT = (255, 255, 255)


@dataclass(frozen=True)
class Artwork:
    data: bytes
    extension: str  # "jpg" or "png"
    mime: str
    size: int  # pixels on a side
    prefix: str = "podcast"  # a section feed's cover is "feed-<name>"

    @property
    def name(self) -> str:
        digest = hashlib.sha256(self.data).hexdigest()[:10]
        return f"{ARTWORK_DIR}/{self.prefix}-{digest}.{self.extension}"


def check_image(data: bytes, shown: str, setting: str = "[podcast] image") -> Artwork:
    """A configured cover, checked (cover_rules; the project's settings were checked at load,
    but the file may have changed since)."""
    try:
        image_format, side = cover_format(data)
    except ValueError as exc:
        raise UsageError(f"audioarticles.toml: {setting} = {shown!r}: {exc}") from None
    extension, mime = FORMATS[image_format]
    return Artwork(data=data, extension=extension, mime=mime, size=side)


def _font(size: int) -> ImageFont.FreeTypeFont:
    # Source Sans Pro (SIL OFL, from the font-source-sans-pro wheel) covers French
    # accents, ligatures and quotes; Pillow's built-in font does not.
    path = resources.files("font_source_sans_pro").joinpath("files/SourceSansPro-Semibold.ttf")
    with resources.as_file(path) as font_file:
        return ImageFont.truetype(str(font_file), size)


def _wrapped_title(draw: ImageDraw.ImageDraw, title: str, width: int) -> tuple[list[str], ImageFont.FreeTypeFont]:
    """The biggest type size at which the title fits in four lines of `width` pixels."""
    for size in (150, 130, 112, 96, 84, 72, 62):
        font = _font(size)
        for columns in range(40, 4, -1):
            lines = textwrap.wrap(title, columns)
            if all(draw.textlength(line, font=font) <= width for line in lines):
                break
        if len(lines) <= 4 and all(draw.textlength(line, font=font) <= width for line in lines):
            return lines, font
    font = _font(62)
    return textwrap.wrap(title, 30, max_lines=4, placeholder=" …"), font


@functools.lru_cache(maxsize=16)
def default_cover(title: str, byline: str, size: int = DEFAULT_SIZE) -> Artwork:
    """A clean square PNG: a listening motif, the podcast title, its publisher."""
    image = Image.new("RGB", (size, size), BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = size // 10
    # a row of sound bars, the universal "audio" sign
    bars = [0.35, 0.6, 0.9, 0.55, 1.0, 0.7, 0.4, 0.8, 0.5, 0.3]
    bar_width, gap, top, height = size // 32, size // 40, margin, size // 4
    for i, level in enumerate(bars):
        x = margin + i * (bar_width + gap)
        bar = int(height * level)
        y = top + (height - bar) // 2
        draw.rounded_rectangle((x, y, x + bar_width, y + bar), radius=bar_width // 2, fill=ACCENT)
    # NFKC turns typographic forms the font lacks ("4ᵉ") into plain letters ("4e")
    title, byline = unicodedata.normalize("NFKC", title), unicodedata.normalize("NFKC", byline)
    lines, font = _wrapped_title(draw, title, size - 2 * margin)
    line_height = int(font.size * 1.18)
    y = top + height + size // 12
    for line in lines:
        draw.text((margin, y), line, font=font, fill=TEXT)
        y += line_height
    if byline and byline != title:
        small = _font(size // 22)
        draw.text((margin, size - margin - small.size), byline[:60], font=small, fill=ACCENT)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return Artwork(data=buffer.getvalue(), extension="png", mime="image/png", size=size)


def channel_artwork(project: Settings, channel: Channel) -> Artwork:
    """The podcast's cover: the configured image once checked, else the generated one."""
    if not channel.image:
        return default_cover(channel.title, channel.publication or channel.author)
    path = project.root / channel.image
    if not path.is_file():
        raise UsageError(f"audioarticles.toml: [podcast] image {channel.image!r}: no such file; "
                         "give a path relative to the project folder, or remove the key to use "
                         "a generated cover")
    return check_image(path.read_bytes(), channel.image)


def remove_old_artwork(site: FileStore, artwork: Artwork) -> None:
    """Covers replaced by `artwork` go away (after the feed stopped naming them)."""
    ours = re.compile(rf"{ARTWORK_DIR}/{re.escape(artwork.prefix)}-[0-9a-f]{{10}}\.(png|jpg)")
    for old in site.listing(ARTWORK_DIR):
        if old != artwork.name and ours.fullmatch(old):
            site.delete_site(old)  # named like ours is not enough: the store must have written it
