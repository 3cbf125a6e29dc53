"""The text stages of one article: clean, segment the written text, normalise each segment
for speech; and the same stages one at a time for `audioarticles text`."""

from __future__ import annotations

from dataclasses import dataclass, field

from audioarticles import clean as clean_stage
from audioarticles import optout
from audioarticles.config import Project
from audioarticles.errors import InputError, UserError
from audioarticles.extract import DEFAULT_SKIP
from audioarticles.identity import guid_for
from audioarticles.model import Article, Segment
from audioarticles.normalise import normaliser
from audioarticles.pipeline.changes import content_hash
from audioarticles.pipeline.results import warn
from audioarticles.segment import segment
from audioarticles.sources import Reader
from audioarticles.store import ProjectStore


@dataclass
class Prepared:
    """An article ready to voice: cleaned, segmented, normalised, identified."""

    source: str
    article: Article
    segments: list[Segment]
    guid: str
    content_hash: str


def prepare(article: Article, project: Project, max_chars: int) -> tuple[Article, list[Segment]]:
    """Clean, segment the written text, then normalise each segment for speech.

    Segments come numbered in order, each with its spoken text within `max_chars`
    (a sentence whose spoken form is too long is cut again); silent ones are left out.
    """
    rules = clean_stage.load_rules(project.root, article.meta.language)
    cleaned = clean_stage.clean(article, rules)
    if not cleaned.blocks:
        raise InputError(article.meta.source, "nothing left to read after removing boilerplate")
    check_length(cleaned, project)
    speak = normaliser(cleaned.meta.language, project.root)
    segments = segment(cleaned, max_chars, speak=speak)
    if not segments:
        raise InputError(article.meta.source, "no speakable text in this article")
    return cleaned, segments


STAGES = ("extract", "clean", "normalized", "segments")


@dataclass
class TextStage:
    """An article as it stands after one stage; `segments` from the normalized stage on."""

    stage: str
    article: Article
    segments: list[Segment] = field(default_factory=list)
    max_chars: int = 0  # the segment length limit the segments were cut to

    def spoken_blocks(self) -> list[str]:
        """Each block's spoken text: its segments' spoken texts joined."""
        spoken: list[list[str]] = [[] for _ in self.article.blocks]
        for seg in self.segments:
            spoken[seg.block].append(seg.spoken)
        return [" ".join(parts) for parts in spoken]


def text_at_stage(project: Project, name: str, stage: str, max_chars: int) -> TextStage:
    """What will be read, at one stage: extract, clean, normalized or segments."""
    if stage not in STAGES:
        raise UserError(f"unknown stage {stage!r}; valid: {', '.join(STAGES)}")
    skip = tuple(dict.fromkeys((*DEFAULT_SKIP, *optout.load_rules(project.root).selectors)))
    reader = Reader(project, warn=warn, skip=skip, exclude=ProjectStore(project).own_folders)
    sources = reader.expand([name])
    if len(sources) != 1:
        raise UserError(f"{name}: holds {len(sources)} articles; `text` shows one, name its file")
    if isinstance(sources[0], InputError):
        raise sources[0]
    article = reader.load(sources[0])
    if stage == "extract":
        return TextStage(stage, article)
    if stage == "clean":
        return TextStage(stage, clean_stage.clean(article, clean_stage.load_rules(
            project.root, article.meta.language)))
    cleaned, segments = prepare(article, project, max_chars)
    return TextStage(stage, cleaned, segments)


def check_length(article: Article, project: Project) -> None:
    """Refuse text whose audio would not fit the memory bounds of one render."""
    limit = int(project.section("limits").get("max_article_chars", 60000))
    length = sum(len(block.text) for block in article.blocks)
    if length > limit:
        raise InputError(article.meta.source,
                         f"has {length} characters to read, above the limit of {limit} (about an "
                         "hour of speech); split the article, or raise [limits] max_article_chars "
                         "in audioarticles.toml")


def prepare_episode(article: Article, project: Project, max_chars: int) -> Prepared:
    cleaned, segments = prepare(article, project, max_chars)
    return Prepared(source=cleaned.meta.source, article=cleaned, segments=segments,
                    guid=guid_for(cleaned.meta), content_hash=content_hash(cleaned, segments))

