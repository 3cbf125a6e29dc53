"""Apple Podcasts' rules for a configured cover (`[podcast] image`, a `[[feeds]]` image):
JPEG or PNG, RGB, square, 1400 to 3000 px on a side. Checked when the project loads
(config.py) and again when the cover is read for the site (publish/cover.py)."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

COVER_MIN = 1400
COVER_MAX = 3000
#: Pillow's format name -> (file extension, media type)
FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png")}


def cover_format(data: bytes) -> tuple[str, int]:
    """The image's Pillow format and side in pixels; a ValueError says what to fix."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image_format, (width, height), mode = image.format, image.size, image.mode
    except (UnidentifiedImageError, OSError):
        raise ValueError("is not an image Pillow can read; give a JPEG or PNG file") from None
    if image_format not in FORMATS:
        raise ValueError(f"is a {image_format} image; Apple Podcasts accepts only JPEG or PNG: "
                         "convert it")
    if width != height or not COVER_MIN <= width <= COVER_MAX:
        raise ValueError(f"is {width}×{height} px; Apple Podcasts needs a square image of "
                         f"{COVER_MIN} to {COVER_MAX} px on a side")
    if mode in ("CMYK", "YCbCr", "LAB"):
        raise ValueError(f"uses {mode} colours; save it in RGB")
    return image_format, width
