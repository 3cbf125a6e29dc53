"""ID3 v2.3 tags (the widest player support): what the episode is, its transcript, its cover,
its chapters (CHAP/CTOC) and the podcast frames Apple's apps read (PCST, TGID, TDES, WFED)."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field
from pathlib import Path

from mutagen.id3 import (APIC, CHAP, COMM, CTOC, ID3, PCST, TALB, TCON, TDES, TDRC, TGID, TIT2,
                         TLAN, TLEN, TPE1, USLT, WFED, WOAS, WXXX, CTOCFlags, PictureType)

from audioarticles.chapters import Chapter, shorten
from audioarticles.errors import UsageError
from audioarticles.httputil import http_url

#: Apple Podcasts shows chapter titles on one line: keep them short
CHAPTER_TITLE_CHARS = 60
COVER_PX = 600


@dataclass
class EpisodeTags:
    """Everything the tags say, gathered by the pipeline."""

    title: str
    artist: str  # the author, else the publication
    album: str  # the podcast's title
    date: str = ""  # ISO 8601
    language: str = "fr"
    comment: str = ""  # the summary
    url: str = ""  # the article's page
    guid: str = ""
    feed_url: str = ""
    duration_ms: int = 0
    transcript: str = ""
    chapters: list[Chapter] = field(default_factory=list)
    cover_jpeg: bytes = b""
    chapter_title_chars: int = CHAPTER_TITLE_CHARS


def iso639_2(language: str) -> str:
    """ID3 wants ISO 639-2 codes; French is `fre` (the bibliographic code players expect)."""
    base = language.split("-")[0].split("_")[0].lower()
    return {"fr": "fre", "en": "eng", "de": "ger", "es": "spa", "it": "ita", "nl": "dut",
            "pt": "por"}.get(base, base if len(base) == 3 else "und")


@functools.lru_cache(maxsize=8)
def _cover(data: bytes, px: int, shown: str) -> bytes:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            picture = image.convert("RGB")
    except (OSError, UnidentifiedImageError) as exc:
        raise UsageError(f"artwork {shown}: not an image Pillow can read ({exc}); "
                         f"use a square JPEG or PNG") from exc
    picture.thumbnail((px, px), Image.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=85, optimize=True, progressive=False)
    return out.getvalue()


def cover_jpeg(image: Path, px: int = COVER_PX) -> bytes:
    """The configured artwork as a small JPEG (≈600 px) for embedding: files stay light."""
    if not image.is_file():
        raise UsageError(f"artwork {image} not found; fix [podcast] image in audioarticles.toml")
    return _cover(image.read_bytes(), px, str(image))


def cover_jpeg_from(data: bytes, px: int = COVER_PX, shown: str = "cover") -> bytes:
    """Any artwork's bytes (the generated cover, an episode's picture) as the embedded JPEG."""
    return _cover(data, px, shown)


class _ChaptersInTimeOrder(ID3):
    """mutagen stores frames by size; some players (ffmpeg 5 among them) list chapters in the
    order they are stored, so the CHAP frames are put back in time order when saving v2.3."""

    def _write(self, config):
        data = bytes(super()._write(config))
        if config.v2_version != 3:
            return bytearray(data)
        frames, position = [], 0
        while position + 10 <= len(data) and data[position:position + 4].strip(b"\0"):
            size = int.from_bytes(data[position + 4:position + 8], "big")  # v2.3: not syncsafe
            frames.append(data[position:position + 10 + size])
            position += 10 + size
        in_order = iter(sorted((f for f in frames if f[:4] == b"CHAP"), key=_chapter_start))
        ordered = [next(in_order) if f[:4] == b"CHAP" else f for f in frames]
        return bytearray().join([*ordered, data[position:]])


def _chapter_start(frame: bytes) -> int:
    body = frame[10:]
    after_id = body.index(b"\0") + 1
    return int.from_bytes(body[after_id:after_id + 4], "big")


def build(info: EpisodeTags) -> ID3:
    lang = iso639_2(info.language)
    tags = _ChaptersInTimeOrder()
    tags.add(TIT2(encoding=3, text=info.title))
    tags.add(TPE1(encoding=3, text=info.artist or info.album))
    tags.add(TALB(encoding=3, text=info.album))
    if info.date[:4].isdigit():
        tags.add(TDRC(encoding=3, text=info.date[:10]))  # written as TYER + TDAT in v2.3
    tags.add(TCON(encoding=3, text="Podcast"))
    tags.add(TLAN(encoding=3, text=lang))
    if info.duration_ms:
        tags.add(TLEN(encoding=3, text=str(round(info.duration_ms))))
    if info.comment:
        tags.add(COMM(encoding=3, lang=lang, desc="", text=info.comment))
        tags.add(TDES(encoding=3, text=info.comment))
    if http_url(info.url):  # never a javascript: or data: link
        tags.add(WOAS(url=http_url(info.url)))
    if info.transcript:
        tags.add(USLT(encoding=3, lang=lang, desc="", text=info.transcript))
    if info.cover_jpeg:
        tags.add(APIC(encoding=3, mime="image/jpeg", type=PictureType.COVER_FRONT, desc="",
                      data=info.cover_jpeg))
    tags.add(PCST(value=1))
    if info.guid:
        tags.add(TGID(encoding=3, text=info.guid))
    if info.feed_url:
        tags.add(WFED(url=info.feed_url))
    if info.chapters:
        ids = [f"chp{i}" for i in range(len(info.chapters))]
        tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                      child_element_ids=ids, sub_frames=[TIT2(encoding=3, text=info.title)]))
        for element_id, chapter in zip(ids, info.chapters):
            tags.add(CHAP(element_id=element_id, start_time=round(chapter.start_ms),
                          end_time=round(chapter.end_ms), start_offset=0xFFFFFFFF,
                          end_offset=0xFFFFFFFF,
                          sub_frames=[TIT2(encoding=3, text=shorten(chapter.title,
                                                                    info.chapter_title_chars)),
                                      *([WXXX(encoding=3, desc="chapter url", url=chapter.url)]
                                        if chapter.url else [])]))
    return tags


def tag(mp3: Path, info: EpisodeTags) -> None:
    tags = build(info)
    tags.update_to_v23()  # TDRC becomes TYER + TDAT; mutagen does not do it on save
    tags.save(mp3, v2_version=3)
