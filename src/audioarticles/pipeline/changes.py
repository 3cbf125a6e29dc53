"""Change detection: whether an article must be voiced again (what it says, its metadata, and
everything that shapes its audio)."""

from __future__ import annotations

import hashlib
import json

from audioarticles.config import Project
from audioarticles.engines.base import Engine
from audioarticles.model import Article, Segment
from audioarticles.store.files import file_digest
from audioarticles.voices import Voice

RENDER_REVISION = 3  # 2: structured pauses, loudness, intro/outro, transcripts, chapters, tags
# 3: the podcast's cover (or the episode's picture) is embedded in every MP3

def content_hash(article: Article, segments: list[Segment]) -> str:
    """Changes whenever the episode's audio or tags would: what is said and the metadata."""
    meta = article.meta
    data = {"title": meta.title, "author": meta.author, "date": meta.date,
            "language": meta.language, "summary": meta.summary,
            "url": meta.canonical_url or meta.url,
            "segments": [[s.block, s.block_kind, s.written, s.spoken] for s in segments]}
    if meta.image:  # only when set: episodes converted before pictures keep their hash
        data["image"] = meta.image
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()

def render_fingerprint(project: Project, voice: Voice, engine: Engine) -> str:
    """Changes whenever the same text would be rendered differently (voice, audio settings,
    what the tags carry: podcast title, feed URL, embedded cover)."""
    podcast = project.section("podcast")
    image = project.root / str(podcast.get("image") or "")
    data = {"revision": RENDER_REVISION, "voice": voice.name, "pauses": voice.pauses,
            "engine": engine.cache_identity(voice), "audio": project.section("audio"),
            "tags": project.section("tags"), "base_url": podcast.get("base_url"),
            "disclosure": project.section("disclosure"),
            "cover": file_digest(image) if podcast.get("image") and image.is_file() else "",
            "album": podcast.get("title"), "publication": podcast.get("publication")}
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]
