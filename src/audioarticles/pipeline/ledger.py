"""The catalog side of a batch: opt-outs and tombstones, the identity and slug each article
gets, whether it changed, and the editorial decision recorded with its new episode."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from datetime import date

from audioarticles import editorial, publish, readalong
from audioarticles.chapters import to_entries
from audioarticles.config import Settings
from audioarticles.dates import publication_date, zone_named
from audioarticles.errors import InputError
from audioarticles.identity import identity, slugify
from audioarticles.model import Article, Episode
from audioarticles.pipeline.changes import render_fingerprint
from audioarticles.pipeline.results import Converted
from audioarticles.pipeline.text import Prepared
from audioarticles.pipeline.voicing import VoicedBy, Voicing
from audioarticles.publish import edition
from audioarticles.render import Rendered, excerpt, framed_segments
from audioarticles.store import CatalogStore, FileStore


@dataclass
class Plan:
    """What the catalog says about a prepared article: its slug, its episode so far, and
    whether it can be left as it is."""

    prepared: Prepared
    slug: str
    existing: Episode | None
    unchanged: bool = False
    text_digest: str = ""  # what the article says (editorial.text_digest)
    corrected_on: str = ""  # the ISO day the published article was last corrected


class Ledger:
    """The batch's shared view of the catalog: opt-outs and tombstones, identities and slugs
    claimed in this run, and the editorial decision when an episode is recorded. Its methods
    may be called from any article thread; they take turns on the one catalog connection."""

    def __init__(self, project: Settings, catalog: CatalogStore, files: FileStore,
                 voicing: Voicing, release: editorial.Release, rerender: bool):
        self.project = project
        self.catalog = catalog
        self.files = files
        self.voice = voicing.voice
        self.max_chars = voicing.max_chars
        self.release = release
        self.rerender = rerender or release.force
        self.fingerprint = voicing.fingerprint()
        self._lock = threading.Lock()
        self._claimed: dict[str, str] = {}  # guid -> the input that claimed it in this run

    def screen(self, article: Article) -> None:
        """ArticleSkipped for an opted-out or unpublished (tombstoned) article."""
        with self._lock:
            editorial.screen(self.catalog, article, self.release)

    def plan(self, prepared: Prepared) -> Plan:
        with self._lock:
            earlier = self._claimed.get(prepared.guid)
            if earlier is not None:
                raise InputError(prepared.source, f"same article as {earlier} (same identity: "
                                 f"{identity(prepared.article.meta)}); converted once")
            self._claimed[prepared.guid] = prepared.source
            existing = self.catalog.get(prepared.guid)
            digest = editorial.text_digest(prepared.segments)
            if existing is not None:
                unchanged = (not self.rerender
                             and existing.state != editorial.UNPUBLISHED
                             and existing.content_hash == prepared.content_hash
                             and existing.meta.get("render") == self.fingerprint
                             and self.files.intact(existing))
                zone = zone_named(self.project.section("podcast")["timezone"])
                corrected = editorial.correction_day(self.catalog, existing, digest, zone)
                return Plan(prepared, existing.slug, existing, unchanged, digest, corrected)
            # claimed in the catalog: another machine converting at once gets another slug
            slug = self.catalog.claim_slug(prepared.guid, slugify(prepared.article.meta.title))
            return Plan(prepared, slug, None, text_digest=digest)

    def record(self, plan: Plan, rendered: Rendered, by: VoicedBy) -> Converted:
        meta = plan.prepared.article.meta
        with self._lock:
            existing = self.catalog.get(plan.prepared.guid)
            previous = dataclasses.replace(existing) if existing else None
            episode = existing or Episode(guid=plan.prepared.guid, slug=plan.slug,
                                          title=meta.title, source=meta.source,
                                          voice=by.voice.name, engine=by.engine.NAME)
            episode.title = meta.title
            episode.identity = identity(meta)
            episode.source = meta.source
            episode.voice = by.voice.name
            episode.intended_voice = self.voice.name
            episode.engine = by.engine.NAME
            episode.degraded = bool(by.degraded_reason)
            episode.degraded_reason = by.degraded_reason
            episode.mp3 = rendered.mp3
            episode.transcripts = dict(rendered.transcripts)
            episode.chapters = rendered.chapters
            episode.duration_s = round(rendered.assembly.duration_s, 3)
            episode.bytes = rendered.bytes
            episode.author = meta.author
            episode.url = meta.canonical_url or meta.url
            episode.summary = meta.summary
            episode.language = meta.language
            # fixed once, with its time zone: a published date is never rewritten
            zone = zone_named(self.project.section("podcast")["timezone"])
            episode.pub_date = episode.pub_date or publication_date(meta.date, zone)
            episode.content_hash = plan.prepared.content_hash
            # a degraded episode records its fallback's fingerprint: the next run tries the
            # voice asked for again instead of finding the episode unchanged
            fingerprint = render_fingerprint(self.project, by.voice, by.engine) \
                if episode.degraded else self.fingerprint
            episode.meta = {**episode.meta, "render": fingerprint, "loudness": {
                "measured_lufs": rendered.assembly.measured.integrated_lufs,
                "gain_db": round(rendered.assembly.gain_db, 2)}, "text_digest": plan.text_digest}
            if plan.corrected_on:
                episode.meta["corrected_on"] = plan.corrected_on
            if meta.image:
                episode.meta["image"] = meta.image
            # kept with the episode: the feed and the pages need not read its files back
            episode.meta["chapters"] = to_entries(rendered.chapters_list)
            episode.meta.update(listing_meta(plan.prepared.article, rendered))
            now = editorial.utcnow()
            decision = editorial.decide(self.release.policy, episode, previous, now,
                                        article_date=meta.date,
                                        publish_at=self.release.publish_at,
                                        draft=self.release.draft)
            def write() -> Episode:
                if self.release.force:
                    self.catalog.remove_tombstone(episode.identity)
                saved = editorial.apply_decision(self.catalog, episode, decision, now)
                self.catalog.set_cues(saved.guid, rendered.cues)
                # the previous audio stays reachable for a while: the sweep in rebuild drops it
                publish.retire_files(self.catalog, previous, saved, now)
                return saved

            # one transaction, run again if the catalog's connection was lost before it committed
            saved = self.catalog.retrying(write)
            self.files.discard_replaced(previous, saved)
        # what the daily edition reassembles from the segment cache, without voicing again
        edition.remember_segments(self.project, saved, rendered)
        return Converted(saved, rendered.synthesized, rendered.cached,
                         timeline=rendered.assembly.timeline)

    def unchanged(self, plan: Plan) -> Converted:
        """Nothing voiced: every segment (intro and outro included) counts as cached."""
        assert plan.existing is not None
        corrected = date.fromisoformat(plan.corrected_on) if plan.corrected_on else None
        voiced = framed_segments(self.project, plan.prepared.article, plan.prepared.segments,
                                 self.max_chars, corrected)
        return Converted(plan.existing, 0, len(voiced), status="unchanged")


def listing_meta(article: Article, rendered: Rendered) -> dict:
    """What feeds and pages need besides the catalog columns: the first paragraph (when the
    article has no summary), categories and tags (section feeds select on them), and the
    episode's own artwork."""
    return {"excerpt": "" if article.meta.summary.strip() else excerpt(article),
            "categories": list(article.meta.categories), "tags": list(article.meta.tags),
            "artwork": rendered.image, "artwork_px": rendered.image_px,
            # which article block is read when: read-along in the publisher's page
            "blocks": readalong.block_starts(rendered.assembly.timeline)}
