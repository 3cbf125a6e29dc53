"""Each episode's own artwork: the article's picture (`og:image`, JSON-LD `image`, a feed's
media thumbnail, front matter `image:`, `ArticleInput.image`), fetched under the fetch policy
(`fetch.py`: deadline, size cap, address checks), cropped to a centred square and saved as a
JPEG of 1400 to 3000 px, the size Apple Podcasts asks of episode art.

A picture that cannot be had (unreachable, not an image, too small) costs a warning, never
the episode: the channel's cover stands in. Processed pictures are kept in the private cache
by source, so re-rendering an episode does not fetch its picture again."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from audioarticles import fetch
from audioarticles.config import Settings
from audioarticles.cover_rules import COVER_MAX, COVER_MIN
from audioarticles.errors import InputError
from audioarticles.model import ArticleMeta
from audioarticles.store import ProjectStore

#: a source picture smaller than this on its short side is not blown up to 1400 px: it would
#: look worse than the channel's cover
MIN_SOURCE_PX = 600
#: refuse decompression bombs before decoding (a 30-megapixel photo is already huge)
MAX_SOURCE_PIXELS = 40_000_000
JPEG_QUALITY = 85


@dataclass(frozen=True)
class EpisodeArtwork:
    jpeg: bytes
    px: int  # pixels on a side
    source: str  # the URL or project path it came from


class ArtworkError(ValueError):
    """Why a picture cannot be an episode's artwork (said in a warning)."""


def square_jpeg(data: bytes) -> tuple[bytes, int]:
    """`data` (any image Pillow reads) as a centred square RGB JPEG of 1400 to 3000 px."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_SOURCE_PIXELS:
                raise ArtworkError(f"is {width}×{height} px, too large to decode safely")
            if min(width, height) < MIN_SOURCE_PX:
                raise ArtworkError(f"is {width}×{height} px; an episode picture needs at least "
                                   f"{MIN_SOURCE_PX} px on its short side")
            image.load()
            picture = image.convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ArtworkError("is not an image Pillow can read") from exc
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    picture = picture.crop((left, top, left + side, top + side))
    target = max(COVER_MIN, min(COVER_MAX, side))
    if target != side:
        picture = picture.resize((target, target), Image.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue(), target


def _local_picture(project: Settings, meta: ArticleMeta) -> bytes:
    """A front-matter picture: relative to the article's folder, else to the project; never a
    file outside the project."""
    root = project.root.resolve()
    candidates = []
    if meta.source and not fetch.is_url(meta.source) and meta.source != "-":
        candidates.append((root / meta.source).parent / meta.image)
    candidates.append(root / meta.image)
    for candidate in candidates:
        path = candidate.resolve()
        if path.is_relative_to(root) and path.is_file():
            return path.read_bytes()
    raise ArtworkError("is not a file inside the project folder")


def _fetched_picture(project: Settings, url: str) -> bytes:
    page = fetch.fetch(url, fetch.FetchSettings.from_project(project),
                       headers={"Accept": "image/jpeg,image/png,image/webp,image/*;q=0.8"})
    if page.media_type and not page.media_type.startswith("image/") \
            and page.media_type != "application/octet-stream":
        raise ArtworkError(f"is {page.media_type}, not an image")
    return page.body


def cache_path(project: Settings, source: str) -> Path:
    return ProjectStore(project).cache_path(
        "artwork", f"{hashlib.sha256(source.encode()).hexdigest()}.jpg")


def episode_artwork(project: Settings, meta: ArticleMeta,
                    warn: Callable[[str], None]) -> EpisodeArtwork | None:
    """The article's picture as episode artwork, or None (the channel's cover is used)."""
    source = (meta.image or "").strip()
    if not source:
        return None
    if ":" in source.split("/")[0] and not fetch.is_url(source):
        warn(f"{meta.source}: its picture {source!r} is not an http(s) address or a file; "
             "the podcast's cover is used")
        return None
    cached = cache_path(project, source)
    if cached.is_file():
        data = cached.read_bytes()
        with Image.open(io.BytesIO(data)) as image:
            return EpisodeArtwork(data, image.width, source)
    try:
        raw = _fetched_picture(project, source) if fetch.is_url(source) \
            else _local_picture(project, meta)
        jpeg, px = square_jpeg(raw)
    except (ArtworkError, InputError) as exc:
        reason = exc.reason if isinstance(exc, InputError) else str(exc)
        warn(f"{meta.source}: its picture {source} {reason}; the podcast's cover is used "
             "instead")
        return None
    ProjectStore(project).keep(cached, jpeg)
    return EpisodeArtwork(jpeg, px, source)
