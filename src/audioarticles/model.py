"""The plain data that flows between the pipeline's stages: article, segment, audio, timeline, episode."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Literal

BlockKind = Literal["title", "heading", "paragraph", "list_item", "quote"]
BLOCK_KINDS: tuple[str, ...] = ("title", "heading", "paragraph", "list_item", "quote")


@dataclass
class Block:
    """One structural unit of an article, with the text the page shows."""

    kind: str
    text: str

    def __post_init__(self) -> None:
        if self.kind not in BLOCK_KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}; expected one of {BLOCK_KINDS}")


@dataclass
class ArticleMeta:
    """What is known about an article besides its text.

    `source` is how the user named the input (project-relative path or URL); the identity
    fields (`explicit_id`, `feed_guid`, `canonical_url`, `source`) decide the episode's GUID.
    """

    title: str = ""
    author: str = ""
    date: str = ""  # ISO 8601 when known
    url: str = ""
    canonical_url: str = ""
    language: str = "fr"
    summary: str = ""
    source: str = ""
    explicit_id: str = ""
    feed_guid: str = ""
    categories: list[str] = field(default_factory=list)
    publication: str = ""
    tags: list[str] = field(default_factory=list)
    image: str = ""  # the article's own picture: an absolute URL or a project-relative path


@dataclass
class Article:
    meta: ArticleMeta
    blocks: list[Block]

    @property
    def title(self) -> str:
        return self.meta.title

    def to_dict(self) -> dict:
        return {"meta": asdict(self.meta), "blocks": [asdict(b) for b in self.blocks]}


@dataclass
class Segment:
    """One unit of speech: a sentence (or part of one) of one block.

    `written` is what the page says (shown in transcripts); `spoken` is what the voice says.
    `block` indexes `Article.blocks`; `position` is the segment's rank in the article.
    """

    block: int
    position: int
    written: str
    spoken: str = ""
    block_kind: str = "paragraph"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Word:
    """One spoken word inside a piece of audio: its samples [start, end) and its text."""

    start: int
    end: int
    text: str


@dataclass
class Audio:
    """Mono signed 16-bit little-endian PCM; `words` when the engine tells where each word is
    (Edge word boundaries, Piper phoneme alignments), in the order spoken."""

    pcm: bytes
    sample_rate: int
    words: tuple[Word, ...] = ()

    @property
    def samples(self) -> int:
        return len(self.pcm) // 2

    @property
    def duration_s(self) -> float:
        return self.samples / self.sample_rate if self.sample_rate else 0.0

    def load(self) -> Audio:
        """Audio in memory is its own source (the segment cache hands out sources it reads back)."""
        return self


@dataclass
class TimelineEntry:
    """Where one piece of the final audio starts and ends (milliseconds, exact sample counts)."""

    kind: str  # "intro", "title", "heading", "sentence", "outro", ...
    start_ms: float
    end_ms: float
    block: int | None = None
    segment: int | None = None
    written: str = ""
    #: the written text's words with their times, when the engine gave word timings
    words: list[WordTime] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class WordTime:
    """One word of the written text and where it is spoken in the episode (milliseconds from
    sample counts, like the timeline)."""

    start_ms: float
    end_ms: float
    text: str


@dataclass
class Episode:
    """One catalog row, as the rest of the program sees it."""

    guid: str
    slug: str
    title: str
    source: str
    voice: str
    engine: str
    mp3: str = ""  # path relative to the output folder, e.g. "episodes/x-1a2b3c4d.mp3"
    duration_s: float = 0.0
    bytes: int = 0
    identity: str = ""
    content_hash: str = ""
    intended_voice: str = ""
    degraded: bool = False
    degraded_reason: str = ""
    state: str = "published"  # draft, held, scheduled, published, unpublished (editorial.py)
    author: str = ""
    pub_date: str = ""
    url: str = ""
    summary: str = ""
    language: str = "fr"
    transcripts: dict = field(default_factory=dict)  # {"vtt": "episodes/x.vtt", "srt": ...}
    chapters: str = ""  # "episodes/x.chapters.json"
    meta: dict = field(default_factory=dict)  # free-form extras later issues add
    created_at: str = ""
    updated_at: str = ""
    id: int | None = None
    state_reason: str = ""  # why it is held, scheduled, a draft or unpublished
    state_by: str = ""  # who put it in its state: an editor's name, or "policy" / "schedule"
    state_at: str = ""  # when it entered its state (ISO 8601, UTC)
    publish_at: str = ""  # when a scheduled episode becomes published (ISO 8601, UTC)


@dataclass
class EditorialEvent:
    """One state transition of an episode, as the audit trail records it."""

    guid: str
    slug: str
    at: str
    from_state: str  # "" when the episode was created
    to_state: str
    actor: str
    reason: str = ""
    publish_at: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Tombstone:
    """An unpublished article: later conversions of the same identity are skipped."""

    identity: str
    guid: str
    slug: str
    reason: str
    actor: str
    at: str


@dataclass
class RetiredFile:
    """A public file an episode no longer points at (an older MP3 and its side files after a
    re-voice), kept reachable for `[publish] keep_old_audio_days`, then deleted."""

    path: str  # relative to the output folder
    guid: str  # the episode it belonged to
    retired_at: str  # ISO 8601, UTC


@dataclass
class Job:
    """One article's conversion handed to the embedded executor or the task queue, and what
    became of it (`jobs.py` moves it through its states)."""

    id: str
    name: str  # the article as messages name it (its file, URL or `article:ID`)
    source: dict  # sources.Source.to_dict(): the article reference, plain data
    options: dict  # voice, rerender, draft, publish_at, force, fallback
    runner: str  # "embedded" (threads of the submitting process) or "queue"
    state: str = "queued"  # queued, running, done, failed, dead
    attempts: int = 0
    error: str = ""  # why the last attempt failed
    guid: str = ""  # the episode, once recorded
    status: str = ""  # when done: converted, unchanged or skipped
    created_at: str = ""
    updated_at: str = ""
    started_at: str = ""
    finished_at: str = ""
    # embedded jobs: the process running it (host, pid, token, lease; store/owners.py)
    owner: dict = field(default_factory=dict)
