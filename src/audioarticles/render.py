"""From an article's segments to the episode's public files: the levelled, tagged MP3 and, under
the same versioned base name beside it, its transcripts (`.vtt`, `.srt`) and chapters
(`.chapters.json`); the Podcasting 2.0 JSON transcript is `.transcript.json`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from audioarticles import chapters as chapter_files
from audioarticles import transcripts
from audioarticles.assemble import Assembly, Mastering, Piece, assemble
from audioarticles.config import Settings
from audioarticles.disclosure import Disclosure
from audioarticles.engines.base import Engine
from audioarticles.intro_outro import Jingle, spoken_frame, template_values
from audioarticles.model import Article, Segment
from audioarticles.normalise import normaliser
from audioarticles.pauses import Pauses
from audioarticles.publish.artwork import EpisodeArtwork
from audioarticles.publish.channel import channel_settings
from audioarticles.publish.cover import channel_artwork
from audioarticles.store import FileStore
from audioarticles.store.atomic import writing
from audioarticles.store.segment_cache import SegmentCache
from audioarticles.synthesise import SynthesisResult, synthesise
from audioarticles.tag import EpisodeTags, cover_jpeg, cover_jpeg_from, tag
from audioarticles.voices import Voice

SUMMARY_CHARS = 300


@dataclass
class Rendered:
    """One rendering's files, by their names in the file store (`episodes/<slug>-<hash>.mp3`),
    and what it took to make them."""

    mp3: str
    transcripts: dict[str, str]  # {"vtt": ..., "srt": ..., "json": ...}
    chapters: str
    assembly: Assembly
    synthesized: int
    cached: int
    bytes: int = 0  # the MP3's size
    corrected_on: date | None = None  # the day the article was corrected, said in the outro
    chapters_list: list[chapter_files.Chapter] = field(default_factory=list)
    cues: list[transcripts.Cue] = field(default_factory=list)  # kept in the catalog
    image: str = ""  # the episode's own artwork beside the MP3 (`<stem>.jpg`), if any
    image_px: int = 0
    segments: list[Segment] = field(default_factory=list)  # the article's, as voiced
    cache_identity: str = ""  # the engine's segment-cache identity for that voice

    @property
    def files(self) -> list[str]:
        return [self.mp3, *self.transcripts.values(), self.chapters,
                *([self.image] if self.image else [])]


def framed_segments(project: Settings, article: Article, segments: list[Segment],
                    max_chars: int, corrected_on: date | None = None) -> list[Segment]:
    """The intro's segments, the article's, then the outro's (normalised like the article).

    The outro ends with the synthetic-voice disclosure (`[disclosure]`), and with the
    « mis à jour le … » line when the article was corrected and that line is worded.
    """
    audio = project.section("audio")
    values = template_values(article, project.section("podcast"))
    speak = normaliser(article.meta.language, project.root)
    disclosure = Disclosure.from_project(project)
    closing = tuple(line for line in (disclosure.spoken(), disclosure.update_line(corrected_on))
                    if line)
    intro = spoken_frame("intro", audio["intro"], values, max_chars, speak)
    outro = spoken_frame("outro", audio["outro"], values, max_chars, speak, closing)
    return intro + segments + outro


def excerpt(article: Article, limit: int = SUMMARY_CHARS) -> str:
    """The summary, else the first paragraph cut at a word (for the ID3 comment)."""
    if article.meta.summary.strip():
        return article.meta.summary.strip()
    first = next((b.text for b in article.blocks if b.kind == "paragraph"), "")
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"


def embedded_cover(project: Settings, artwork: EpisodeArtwork | None) -> bytes:
    """The picture in the MP3 (APIC): the episode's own, else the podcast's cover (configured
    or generated), as a small JPEG."""
    px = project.section("tags")["cover_px"]
    if artwork is not None:
        return cover_jpeg_from(artwork.jpeg, px, artwork.source)
    image = project.section("podcast")["image"].strip()
    if image:
        return cover_jpeg(project.root / image, px)
    channel = channel_settings(project)
    return cover_jpeg_from(channel_artwork(project, channel).data, px, "generated cover")


def episode_tags(project: Settings, article: Article, assembly: Assembly, chapter_list,
                 guid: str, pub_date: str, engine_name: str,
                 artwork: EpisodeArtwork | None = None) -> EpisodeTags:
    podcast = project.section("podcast")
    settings = project.section("tags")
    meta = article.meta
    channel = channel_settings(project)
    return EpisodeTags(
        title=meta.title,
        artist=channel.byline_for(meta.author),  # the same rule as the feed's itunes:author
        album=podcast["title"],
        date=meta.date or pub_date,
        language=meta.language,
        # like the feed item's description: the summary, then the disclosure naming the engine
        comment="\n\n".join(part for part in (
            excerpt(article), Disclosure.from_project(project).written(engine_name)) if part),
        url=meta.canonical_url or meta.url,
        guid=guid,
        feed_url=channel.feed_url,
        duration_ms=round(assembly.duration_s * 1000),
        transcript=transcripts.plain_text(assembly.timeline),
        chapters=chapter_list,
        cover_jpeg=embedded_cover(project, artwork),
        chapter_title_chars=settings["chapter_title_chars"],
    )


def side_files(article: Article, podcast_title: str, cue_list: list[transcripts.Cue],
               chapter_list: list[chapter_files.Chapter]) -> dict[str, str]:
    """The text of each file written beside the MP3, by suffix."""
    return {
        ".vtt": transcripts.to_vtt(cue_list),
        ".srt": transcripts.to_srt(cue_list),
        ".transcript.json": transcripts.to_json(cue_list),
        ".chapters.json": chapter_files.to_json(chapter_list, article.meta.title, podcast_title),
    }


@dataclass(frozen=True)
class Production:
    """How an episode is produced, checked once before a run: the mastering (loudness, peak,
    bitrate), the pauses by structure (the project's `[audio.pauses]`, then the voice
    profile's) and the intro/outro jingles. A bad setting is a UsageError naming it."""

    mastering: Mastering
    pauses: Pauses
    jingles: dict[str, Jingle | None]

    @classmethod
    def from_project(cls, project: Settings, voice: Voice) -> Production:
        """Raises UsageError naming the setting to fix (the CLI exits 2 before any work);
        `[podcast]` and its artwork are publish.check_settings's."""
        audio = project.section("audio")
        pauses = Pauses.from_settings(audio["pauses"], origin="audioarticles.toml [audio.pauses]")
        pauses = Pauses.from_settings(vars(pauses), voice.pauses,
                                      origin=f"voice profile {voice.origin or voice.name} [pauses]")
        jingles = {kind: Jingle.from_settings(kind, audio[kind], project.root)
                   for kind in ("intro", "outro")}
        return cls(Mastering.from_settings(audio), pauses, jingles)


def render_episode(project: Settings, article: Article, segments: list[Segment], voice: Voice,
                   engine: Engine, cache: SegmentCache | None, files: FileStore, slug: str,
                   guid: str, pub_date: str, corrected_on: date | None = None,
                   artwork: EpisodeArtwork | None = None) -> Rendered:
    """Voice, assemble, level, tag and place one episode's files in `files` (they wait in its
    private area); nothing half-written is left."""
    production = Production.from_project(project, voice)
    voiced = framed_segments(project, article, segments, engine.max_chars, corrected_on)
    # voiced in the background: the MP3 is encoded while the later segments are still voiced
    result = synthesise(voiced, voice, engine, cache, background=True)
    try:
        return _assembled(project, article, voice, engine, result, voiced, files, slug,
                          guid, pub_date, corrected_on, production, artwork)
    finally:
        result.finish()


def _assembled(project: Settings, article: Article, voice: Voice, engine: Engine,
               result: SynthesisResult, voiced: list[Segment], files: FileStore, slug: str,
               guid: str, pub_date: str, corrected_on: date | None,
               production: Production, artwork: EpisodeArtwork | None) -> Rendered:
    mastering, pauses, jingles = production.mastering, production.pauses, production.jingles
    pieces = [Piece(seg.block_kind, source, seg) for seg, source in zip(voiced, result.sources)]
    rate = result.sample_rate
    if jingles["intro"]:
        pieces.insert(0, Piece("jingle", jingles["intro"].decode(rate)))
    if jingles["outro"]:
        pieces.append(Piece("jingle", jingles["outro"].decode(rate)))

    with files.placing(slug) as placement, writing(placement.tmp_mp3.parent):
        tmp = placement.tmp_mp3
        assembly = assemble(pieces, tmp, pauses, mastering)
        chapter_list = chapter_files.chapters_from_timeline(
            assembly.timeline, article.meta.title, assembly.duration_s * 1000)
        tag(tmp, episode_tags(project, article, assembly, chapter_list, guid, pub_date,
                              engine.NAME, artwork))
        size = tmp.stat().st_size
        cue_list = transcripts.cues(assembly.timeline)
        sides: dict[str, str | bytes] = dict(side_files(
            article, project.section("podcast")["title"], cue_list, chapter_list))
        if artwork is not None:
            sides[".jpg"] = artwork.jpeg
        placed = placement.place(sides)
    return Rendered(mp3=placed[".mp3"], transcripts={"vtt": placed[".vtt"], "srt": placed[".srt"],
                                                    "json": placed[".transcript.json"]},
                    chapters=placed[".chapters.json"], assembly=assembly, bytes=size,
                    synthesized=result.synthesized, cached=result.cached,
                    corrected_on=corrected_on, chapters_list=chapter_list, cues=cue_list,
                    image=placed.get(".jpg", ""), image_px=artwork.px if artwork else 0,
                    segments=[seg for seg in voiced if seg.block >= 0],
                    cache_identity=engine.cache_identity(voice))
