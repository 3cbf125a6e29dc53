"""The entry points of a conversion run: `convert` (inputs the user names), `sync` (a
publisher's feed) and `upgrade` (degraded episodes again). Each checks the settings before any
work, takes the project's lock, sweeps what a crashed run left, runs the batch and rebuilds the
public site once at the end, also after an interruption."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import BinaryIO

from audioarticles import editorial, publish, publisher_feed, webhooks
from audioarticles.config import Settings
from audioarticles.errors import InputError, UsageError
from audioarticles.extract import DEFAULT_SKIP
from audioarticles.fetch import is_url
from audioarticles.model import Episode
from audioarticles.pipeline.batch import Batch, default_jobs, stop_on_signals
from audioarticles.pipeline.results import ConvertReport, Progress
from audioarticles.pipeline.sweeps import sweep_orphan_audio
from audioarticles.pipeline.voicing import Voicing
from audioarticles.publisher_feed import FeedInfo
from audioarticles.render import Production
from audioarticles.sources import ARTICLE_PREFIX, PATH, URL, Reader, Source
from audioarticles.store import CatalogStore, ProjectStore
from audioarticles.voices import get_voice


def batch_in_lock(project: Settings, store: ProjectStore, catalog: CatalogStore,
                  sources: list[Source | InputError], reader: Reader,
                  voicing: Voicing, release: editorial.Release, *,
                  jobs: int | None = None, rerender: bool = False,
                  progress: Progress | None = None) -> ConvertReport:
    """Convert `sources` (the caller holds the project's lock and has swept leftovers); the
    site is rebuilt once, even when the batch was stopped."""
    started = time.time()
    with voicing:
        batch = Batch(project, store, catalog, reader, voicing, jobs or default_jobs(),
                      release, rerender, progress or Progress())
        with stop_on_signals(batch.request_stop):
            report = batch.run(sources)
            # also after a stop: the site shows what finished (and sweeps retired audio)
            report.build = publish.rebuild(project, catalog, store.files)
            for message in report.build.warnings:
                batch.progress.warn(message)
            sweep_orphan_audio(store.files, catalog, started)
    # the CMS hears of it however the conversion was started (command, API, queue worker)
    with catalog.transaction():
        webhooks.record_run(project, catalog, report)
    webhooks.deliver_soon(project)
    return report


def run_batch(project: Settings, sources: list[Source | InputError], voicing: Voicing,
              release: editorial.Release | None = None, *, reader: Reader | None = None,
              jobs: int | None = None, rerender: bool = False, progress: Progress | None = None,
              command: str | None = None) -> ConvertReport:
    """Convert `sources` under the project's lock (read by `reader`, by default one with the
    project's settings)."""
    release = release or editorial.Release.for_project(project)
    store = ProjectStore(project)
    reader = reader or Reader(project, exclude=store.own_folders)
    with store.lock(command):  # which sweeps what a dead run left
        with store.catalog() as catalog:
            return batch_in_lock(project, store, catalog, sources, reader, voicing, release,
                                 jobs=jobs, rerender=rerender, progress=progress)


@dataclass
class RunSetup:
    """What convert and sync check before any work: settings, voice, engine, page selectors."""

    release: editorial.Release
    voicing: Voicing
    reader: Reader


def set_up(project: Settings, voice_name: str | None, release: editorial.Release | None,
           jobs: int | None, progress: Progress, stdin: BinaryIO | None = None,
           fallback: bool = True) -> RunSetup:
    release = release or editorial.Release.for_project(project)
    publish.keep_old_audio_days(project)  # a bad setting stops the run before any work
    voice = get_voice(voice_name or project.section("voice")["default"], project.root)
    publish.check_settings(project)
    Production.from_project(project, voice)  # so does a bad [audio] setting
    voicing = Voicing(project, voice, jobs or default_jobs(), fallback)
    skip = tuple(dict.fromkeys((*DEFAULT_SKIP, *release.optout.selectors)))
    reader = Reader(project, warn=progress.warn, stdin=stdin, skip=skip,
                    exclude=ProjectStore(project).own_folders)
    return RunSetup(release, voicing, reader)


def convert(project: Settings, inputs: list[str | Source], voice_name: str | None = None,
            release: editorial.Release | None = None, *, jobs: int | None = None,
            rerender: bool = False, progress: Progress | None = None,
            stdin: BinaryIO | None = None, fallback: bool = True,
            explicit_id: str | None = None) -> ConvertReport:
    """Convert files, folders, globs, `-` (stdin), URLs and sources given as data into
    episodes.

    `rerender`: render again articles that have not changed (`release.force` implies it).
    `fallback`: when the voice cannot voice an article, its fallback voices all of it (the
    episode is marked degraded); off, that article fails instead. `explicit_id`: the
    episode's GUID, for exactly one input naming one article.
    """
    progress = progress or Progress()
    setup = set_up(project, voice_name, release, jobs, progress, stdin, fallback)
    # names are expanded together: a file named twice (or by two globs) is read once
    sources: list[Source | InputError] = setup.reader.expand(
        [entry for entry in inputs if not isinstance(entry, Source)])
    sources += [entry for entry in inputs if isinstance(entry, Source)]
    if explicit_id is not None:
        if len(sources) != 1:
            setup.voicing.close()
            raise UsageError(f"--id names one article, but the inputs hold {len(sources)}; "
                             "convert them one at a time to give each its id")
        if isinstance(sources[0], Source):
            sources = [sources[0].with_id(explicit_id)]
    return run_batch(project, sources, setup.voicing, setup.release, reader=setup.reader,
                     jobs=jobs, rerender=rerender, progress=progress)


def upgrade(project: Settings, *, jobs: int | None = None,
            progress: Progress | None = None) -> ConvertReport:
    """Voice every degraded episode again with the voice it was meant to have, keeping its
    GUID and slug (the editorial policy then releases one it held). An episode whose voice
    still fails stays as it was, and is reported failed."""
    report = ConvertReport()
    store = ProjectStore(project)
    if not store.has_catalog:
        return report
    with store.catalog() as catalog:
        degraded = [e for e in catalog.episodes() if e.degraded]
    progress = progress or Progress()
    by_voice: dict[str, list[Episode]] = {}
    for episode in degraded:
        by_voice.setdefault(episode.intended_voice or episode.voice, []).append(episode)
    for voice_name, episodes in by_voice.items():
        setup = set_up(project, voice_name, None, jobs, progress, fallback=False)
        sources = [_episode_source(project, setup.reader, e) for e in episodes]
        done = run_batch(project, sources, setup.voicing, setup.release, reader=setup.reader,
                         jobs=jobs, rerender=True, progress=progress, command="upgrade")
        report.converted += done.converted
        report.failed += done.failed
        report.skipped += done.skipped
        report.not_done += done.not_done
        report.interrupted = report.interrupted or done.interrupted
        report.build = done.build
        if done.interrupted:
            break
    return report


def upgrade_sources(project: Settings) -> list[tuple[str, list[Source | InputError]]]:
    """The degraded episodes' articles, by the voice each was meant to have (for jobs)."""
    store = ProjectStore(project)
    if not store.has_catalog:
        return []
    with store.catalog() as catalog:
        degraded = [e for e in catalog.episodes() if e.degraded]
    reader = Reader(project, exclude=store.own_folders)
    by_voice: dict[str, list[Source | InputError]] = {}
    for episode in degraded:
        by_voice.setdefault(episode.intended_voice or episode.voice, []).append(
            _episode_source(project, reader, episode))
    return list(by_voice.items())


def _episode_source(project: Settings, reader: Reader, episode: Episode) -> Source | InputError:
    """Where an episode's article is read again from: its URL, or its file in the project
    (with the explicit id it was converted with, so it keeps its GUID)."""
    if episode.source == "-" or episode.source.startswith("stdin:"):
        return InputError(episode.slug, "its article came from standard input; convert it again "
                                        "with `audioarticles convert - --voice ...`")
    if episode.source.startswith(ARTICLE_PREFIX):
        return InputError(episode.slug, "its article was handed over in memory; convert it "
                                        "again with Project.convert_article")
    if is_url(episode.source):
        source = Source(URL, episode.source, episode.source)
    else:
        source = Source(PATH, episode.source, str(project.root / episode.source))
    return source.with_id(episode.guid) if episode.identity.startswith("id:") else source


def feed_sources(project: Settings, feed_url: str, voice_name: str | None,
                 release: editorial.Release, limit: int | None = None
                 ) -> tuple[FeedInfo, list[Source | InputError]]:
    """A publisher's feed read in full, its items as sources (for jobs: the workers find the
    unchanged ones unchanged)."""
    if not is_url(feed_url):
        raise UsageError(f"{feed_url}: not a feed address; pass the http(s) URL of an RSS or "
                         "Atom feed")
    progress = Progress()
    setup = set_up(project, voice_name, release, 1, progress)
    setup.voicing.close()
    return publisher_feed.read_feed(feed_url, setup.reader, {}, limit)


def sync(project: Settings, feed_url: str, voice_name: str | None = None,
         release: editorial.Release | None = None, *, limit: int | None = None,
         jobs: int | None = None, rerender: bool = False,
         progress: Progress | None = None) -> tuple[FeedInfo, ConvertReport]:
    """Convert the items of a publisher's feed: new ones, changed ones (content hash) again,
    unchanged ones skipped. A feed not modified since the last complete sync is not read."""
    if not is_url(feed_url):
        raise UsageError(f"{feed_url}: not a feed address; pass the http(s) URL of an RSS or "
                         "Atom feed")
    progress = progress or Progress()
    setup = set_up(project, voice_name, release, jobs, progress)
    fingerprint = setup.voicing.fingerprint()
    store = ProjectStore(project)
    with store.lock(), store.catalog() as catalog:  # the lock sweeps what a dead run left
        previous = publisher_feed.remembered(catalog, feed_url)
        forced = rerender or setup.release.force
        headers = {} if forced else publisher_feed.conditional_headers(previous, limit, fingerprint)
        info, sources = publisher_feed.read_feed(feed_url, setup.reader, headers, limit)
        if info.not_modified:
            setup.voicing.close()
            return info, ConvertReport()
        report = batch_in_lock(project, store, catalog, sources, setup.reader, setup.voicing, setup.release,
                               jobs=jobs, rerender=rerender, progress=progress)
        if report.ok:  # a failed item is tried again next time, whatever the feed says
            publisher_feed.remember(catalog, info, limit, fingerprint)
    return info, report
