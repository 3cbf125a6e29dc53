"""A catalog lost or damaged beside published output: refuse to run on it, and rebuild it from
what was published (`audioarticles recover`).

Without its catalog a run would take every published file for a stranger: it would start a new
feed and its sweeps would treat the old episodes as leftovers. So `open_catalog` stops any
command when the catalog is missing (or empty) while `output/` holds our feed or the private
mirror holds our audio. `recover` reads back, in this order of trust: the feed (`output/feed.xml`:
GUIDs, enclosures, publication dates with their offsets, the podcast GUID, the last build date),
the episode pages (slugs, summaries, which audio file is current), and the MP3s' ID3 tags (GUID,
title, author, date, language, article URL, duration), with the transcripts and chapters named
after each MP3. Published episodes come back published; audio found only in the private mirror
comes back held (its earlier state is not written anywhere public).
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path

from audioarticles.chapters import from_entries, to_entries
from audioarticles.config import Settings
from audioarticles.disclosure import Disclosure
from audioarticles.errors import CatalogUnusable, UserError
from audioarticles.model import EditorialEvent, Episode, RetiredFile, WordTime
from audioarticles.store import backups, manifest
from audioarticles.store import catalog as catalog_module
from audioarticles.store.atomic import shown_path
from audioarticles.store.catalog import Catalog, SqlCatalog, now_iso
from audioarticles.store.files import episode_files
from audioarticles.store.interfaces import CatalogStore
from audioarticles.store.manifest import Manifest
from audioarticles.transcripts import Cue

FEED = "feed.xml"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
#: `<slug>-<hash>.mp3`, the name every episode's audio is given (publish.audio_stem)
AUDIO_NAME = re.compile(r"(?P<slug>[a-z0-9][a-z0-9-]*)-(?P<hash>[0-9a-f]{10})\.mp3")
SIDE_FILES = {"vtt": ".vtt", "srt": ".srt", "json": ".transcript.json"}
ACTOR = "recover"
_LANGUAGES = {"fre": "fr", "fra": "fr", "eng": "en", "ger": "de", "deu": "de", "spa": "es",
              "ita": "it", "dut": "nl", "nld": "nl", "por": "pt"}


def published_traces(project: Settings) -> list[Path]:
    """What shows this project has published before: our feed, our audio in the private mirror."""
    found = []
    feed = project.output / FEED
    with contextlib.suppress(OSError):
        if b"<generator>audioarticles</generator>" in feed.read_bytes()[:8192]:
            found.append(feed)
    mirror = project.unreleased_dir / "episodes"
    if mirror.is_dir():
        found += sorted(p for p in mirror.glob("*.mp3") if AUDIO_NAME.fullmatch(p.name))[:1]
    return found


def postgres_url(project: Settings) -> str:
    """The PostgreSQL catalog's URL, "" when the catalog is the SQLite file."""
    return project.section("catalog")["url"]


def connect(project: Settings, keep_backups: bool = True) -> SqlCatalog:
    """The catalog backend the settings name (`[catalog] url`: PostgreSQL; else the SQLite
    file), opened and migrated; no other check (see `open_catalog`)."""
    url = postgres_url(project)
    if url:
        from audioarticles.store.postgres import PgCatalog

        return PgCatalog(url, reconnect_s=project.section("catalog")["reconnect_s"])
    return Catalog(project.catalog_path, keep_backups=keep_backups)


def catalog_name(project: Settings) -> str:
    """The catalog as messages name it: its file, or its database's URL (no password)."""
    url = postgres_url(project)
    if url:
        from audioarticles.store.postgres import shown_url

        return f"the catalog database {shown_url(url)}"
    return f"the catalog {shown_path(project.catalog_path)}"


def catalog_missing(project: Settings) -> bool:
    """No catalog yet: no SQLite file (or an empty one), or a PostgreSQL database without our
    schema or without any episode."""
    if postgres_url(project):
        with connect(project) as catalog:
            return catalog.empty
    path = project.catalog_path
    return not path.is_file() or path.stat().st_size == 0


def restore_hint(project: Settings) -> str:
    if postgres_url(project):
        return ("restore your last pg_dump of it, or run `audioarticles recover` to rebuild it "
                "from the published files")
    return backups.restore_hint(project.catalog_path)


def catalog_exists(project: Settings) -> bool:
    """False for a new project; CatalogUnusable when the catalog is missing (or empty) while
    published files show there was one: nothing may run before it is restored or recovered."""
    if not catalog_missing(project):
        return True
    traces = published_traces(project)
    if traces:
        raise CatalogUnusable(
            f"{catalog_name(project)} is missing but {shown_path(traces[0])} shows "
            f"episodes were published; {restore_hint(project)}")
    return False


def open_catalog(project: Settings) -> SqlCatalog:
    """The project's catalog, created when the project is new (see `catalog_exists`). From
    now on the files written under its output folder are written down in its manifest."""
    catalog_exists(project)
    catalog = connect(project)
    try:
        project.state_dir.mkdir(parents=True, exist_ok=True)  # a PostgreSQL catalog made none
        written = Manifest(project.state_dir)
        manifest.register(project.output, written)
        manifest.register(project.state_dir, written)
        if not written.path.exists():  # a project older than its manifest: seed it
            manifest.seed(written, project.output, project.unreleased_dir,
                          {e.slug: episode_files(e) for e in catalog.episodes()})
        keep_timing(catalog, project)
    except BaseException:
        catalog.close()
        raise
    return catalog


# ---- reading back what was published --------------------------------------------------------

@dataclass
class FeedItem:
    guid: str
    title: str
    mp3: str  # relative to output/
    length: int
    pub_date: str  # ISO 8601 with its offset
    description: str


@dataclass
class PublishedFeed:
    podcast_guid: str = ""
    last_build: str = ""
    items: list[FeedItem] = field(default_factory=list)


def read_feed(path: Path, base_url: str) -> PublishedFeed:
    """Our feed's items (unknown elements are ignored; a feed that does not parse is empty)."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return PublishedFeed()
    channel = root.find("channel")
    if channel is None:
        return PublishedFeed()
    feed = PublishedFeed(podcast_guid=(channel.findtext(f"{PODCAST}guid") or "").strip(),
                         last_build=_iso(channel.findtext("lastBuildDate")))
    for item in channel.findall("item"):
        enclosure = item.find("enclosure")
        url = enclosure.get("url", "") if enclosure is not None else ""
        relative = _relative(url, base_url)
        if not relative:
            continue
        feed.items.append(FeedItem(
            guid=(item.findtext("guid") or "").strip(), title=item.findtext("title") or "",
            mp3=relative, length=int(enclosure.get("length") or 0),
            pub_date=_iso(item.findtext("pubDate")),
            description=item.findtext("description") or ""))
    return feed


def _relative(url: str, base_url: str) -> str:
    """`episodes/x-0123456789.mp3` from an enclosure URL, "" when it is not one of ours."""
    path = url[len(base_url):] if base_url and url.startswith(base_url) else url.rsplit("/", 2)
    if isinstance(path, list):
        path = "/".join(path[-2:])
    folder, _, name = path.partition("/")
    return path if folder == "episodes" and AUDIO_NAME.fullmatch(name) else ""


def _iso(rfc822: str | None) -> str:
    if not rfc822:
        return ""
    try:
        return parsedate_to_datetime(rfc822.strip()).isoformat()
    except (TypeError, ValueError):
        return ""


@dataclass
class Tags:
    """What an MP3's ID3 tags say about its episode."""

    guid: str = ""
    title: str = ""
    artist: str = ""
    album: str = ""
    date: str = ""
    language: str = ""
    comment: str = ""
    url: str = ""
    duration_ms: int = 0


def read_tags(mp3: Path) -> Tags:
    from mutagen import MutagenError
    from mutagen.id3 import ID3, ID3NoHeaderError

    try:
        id3 = ID3(mp3)
    except (ID3NoHeaderError, MutagenError, OSError):
        return Tags()

    def text(frame_id: str) -> str:
        frames = id3.getall(frame_id)
        return str(frames[0].text[0]) if frames and frames[0].text else ""

    comments = id3.getall("COMM")
    woas = id3.getall("WOAS")
    date = text("TDRC") or text("TYER")
    if date and len(date) == 4 and text("TDAT"):  # v2.3 writes the day as DDMM apart
        day = text("TDAT")
        date = f"{date}-{day[2:4]}-{day[:2]}"
    length = text("TLEN")
    return Tags(guid=text("TGID"), title=text("TIT2"), artist=text("TPE1"), album=text("TALB"),
                date=date, language=_LANGUAGES.get(text("TLAN"), text("TLAN")),
                comment=str(comments[0].text[0]) if comments and comments[0].text else "",
                url=woas[0].url if woas else "", duration_ms=int(length) if length.isdigit() else 0)


def page_facts(output: Path, slug: str) -> tuple[str, str]:
    """From an episode page: the audio file it plays (relative to output/) and the summary."""
    try:
        page = (output / "episodes" / f"{slug}.html").read_text(encoding="utf-8")
    except OSError:
        return "", ""
    audio = re.search(rf"({re.escape(slug)}-[0-9a-f]{{10}}\.mp3)", page)
    summary = re.search(r'<p class="aa-summary">(.*?)</p>', page, re.DOTALL)
    return (f"episodes/{audio[1]}" if audio else "",
            html.unescape(summary[1]) if summary else "")


# ---- rebuilding -----------------------------------------------------------------------------

@dataclass
class Recovered:
    episodes: list[Episode] = field(default_factory=list)
    retired: list[tuple[str, str]] = field(default_factory=list)  # (file, its episode's GUID)
    warnings: list[str] = field(default_factory=list)
    kept_aside: Path | None = None  # the previous (damaged) catalog, never deleted

    def count(self, state: str) -> int:
        return sum(e.state == state for e in self.episodes)


def _engine_named(text: str, project: Settings) -> str:
    """The engine whose disclosure line the text carries ("" when none does)."""
    from audioarticles.engines import registry

    disclosure = Disclosure.from_project(project)
    for name in sorted({*registry(), *disclosure.engines}):
        line = disclosure.written(name)
        if line and line in text:
            return name
    return ""


def _voice_for(engine: str, project: Settings) -> str:
    """The project's default voice when it uses `engine`, else the first voice that does."""
    from audioarticles.voices import load_voices

    if not engine:
        return ""
    with contextlib.suppress(UserError, OSError):
        voices = load_voices(project.root)
        default = project.section("voice")["default"]
        names = [default, *sorted(voices)] if default in voices else sorted(voices)
        return next((name for name in names if voices[name].engine == engine), "")
    return ""


ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
MAX_SCANNED = 20000


def identities_by_guid(project: Settings, urls: list[str]) -> dict[str, str]:
    """GUID -> the identity it was made from, for the article files in the project and the
    articles' URLs (a GUID is a UUIDv5 of the identity, so it can be recognised, not read)."""
    from audioarticles.identity import GUID_NAMESPACE

    candidates = [f"url:{url}" for url in urls if url]
    skip = {project.state_dir.resolve(), project.output.resolve()}
    for folder, subfolders, files in os.walk(project.root):
        subfolders[:] = [d for d in sorted(subfolders) if not d.startswith(".")
                         and (Path(folder) / d).resolve() not in skip]
        candidates += [f"path:{project.relative_source(Path(folder) / name)}"
                       for name in sorted(files) if name.lower().endswith(ARTICLE_SUFFIXES)]
        if len(candidates) > MAX_SCANNED:
            break
    return {str(uuid.uuid5(GUID_NAMESPACE, c)): c for c in candidates}


def _identify(episodes: list[Episode], project: Settings) -> None:
    """Give back each episode its identity and source when they can be recognised."""
    known = identities_by_guid(project, [e.url for e in episodes])
    for episode in episodes:
        found = known.get(episode.guid, "")
        if not found and not _is_uuid(episode.guid):
            found = f"id:{episode.guid}"  # an explicit id is the GUID as given
        episode.identity = found
        kind, _, value = found.partition(":")
        episode.source = value if kind in ("path", "url") else (episode.url or "")


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _side_files(root: Path, stem: str) -> tuple[dict[str, str], str]:
    transcripts = {kind: f"episodes/{stem}{suffix}" for kind, suffix in SIDE_FILES.items()
                   if (root / "episodes" / f"{stem}{suffix}").is_file()}
    chapters = f"episodes/{stem}.chapters.json"
    return transcripts, chapters if (root / chapters).is_file() else ""


def episodes_from_output(project: Settings, feed: PublishedFeed) -> Recovered:
    """Episodes as the published files describe them (not yet saved)."""
    from audioarticles.publish.channel import channel_settings

    channel = channel_settings(project)
    result = Recovered()
    by_audio = {item.mp3: item for item in feed.items}
    public = project.output / "episodes"
    public_audio = sorted(p for p in public.glob("*.mp3") if AUDIO_NAME.fullmatch(p.name)) \
        if public.is_dir() else []
    by_slug: dict[str, list[Path]] = {}
    for path in public_audio:
        by_slug.setdefault(AUDIO_NAME.fullmatch(path.name)["slug"], []).append(path)
    for item in feed.items:
        if not (project.output / item.mp3).is_file():
            result.warnings.append(f"{FEED} names {item.mp3}, which is missing; "
                                   f"its episode ({item.title}) is left out")
    seen: set[str] = set()
    for slug, versions in sorted(by_slug.items()):
        listed = [p for p in versions if f"episodes/{p.name}" in by_audio]
        page_audio, summary = page_facts(project.output, slug)
        current = (listed[0] if listed else
                   next((p for p in versions if f"episodes/{p.name}" == page_audio), None))
        if current is None:  # no feed item, no page: the versions of a withdrawn episode
            current = max(versions, key=lambda p: p.stat().st_mtime)
            state = "held"
        else:
            state = "published"
        episode = _episode(project, channel, current, project.output, slug, state,
                           by_audio.get(f"episodes/{current.name}"), summary)
        if not episode.guid or episode.guid in seen:
            result.warnings.append(f"{shown_path(current)}: no GUID in its feed item or tags; "
                                   "left as it is")
            continue
        seen.add(episode.guid)
        result.episodes.append(episode)
        for older in versions:
            if older != current:
                stem = older.name[:-4]
                transcripts, chapters = _side_files(project.output, stem)
                artwork = f"episodes/{stem}.jpg"
                result.retired += [(name, episode.guid) for name in (
                    f"episodes/{older.name}", *transcripts.values(), chapters,
                    artwork if (project.output / artwork).is_file() else "") if name]
    mirror = project.unreleased_dir / "episodes"
    waiting = sorted((p for p in mirror.glob("*.mp3") if AUDIO_NAME.fullmatch(p.name)),
                     key=lambda p: p.stat().st_mtime, reverse=True) if mirror.is_dir() else []
    for path in waiting:
        slug = AUDIO_NAME.fullmatch(path.name)["slug"]
        episode = _episode(project, channel, path, project.unreleased_dir, slug, "held", None, "")
        if episode.guid and episode.guid not in seen:
            seen.add(episode.guid)
            result.episodes.append(episode)
    return result


def _episode(project: Settings, channel, mp3: Path, root: Path, slug: str, state: str,
             item: FeedItem | None, summary: str) -> Episode:
    tags = read_tags(mp3)
    stem = mp3.name[:-4]
    transcripts, chapters = _side_files(root, stem)
    meta: dict = {"recovered": True}
    if (root / "episodes" / f"{stem}.jpg").is_file():
        meta["artwork"] = f"episodes/{stem}.jpg"
    engine = _engine_named(item.description if item else tags.comment, project)
    voice = _voice_for(engine, project)
    pub_date = (item.pub_date if item else "") or tags.date or datetime.fromtimestamp(
        mp3.stat().st_mtime, UTC).isoformat(timespec="seconds")
    author = tags.artist if tags.artist and tags.artist != tags.album else ""
    reason = "" if state == "published" else (
        "recovered: its audio was not public, its earlier state is unknown; publish it or "
        "leave it held")
    return Episode(
        guid=(item.guid if item and item.guid else tags.guid), slug=slug,
        title=(item.title if item else "") or tags.title or slug, source=tags.url or "",
        voice=voice, engine=engine, mp3=f"episodes/{mp3.name}",
        duration_s=tags.duration_ms / 1000, bytes=mp3.stat().st_size, identity="",
        state=state, author=author if author != channel.byline else "",
        pub_date=pub_date, url=tags.url, summary=summary, language=tags.language or "fr",
        transcripts=transcripts, chapters=chapters, meta=meta,
        intended_voice=voice,
        state_reason=reason, state_by=ACTOR, state_at=now_iso())


def recover(project: Settings, force: bool = False) -> Recovered:
    """Rebuild the catalog from the published files, under the project's lock. A catalog that
    opens cleanly is left alone unless `force`; the SQLite one replaced is moved aside, never
    deleted. A PostgreSQL catalog is rebuilt only when it is empty (its backups are the
    owner's pg_dump; we never drop a database's rows)."""
    from audioarticles.publish.channel import channel_settings
    from audioarticles.store.lock import run_lock

    path = project.catalog_path
    postgres = bool(postgres_url(project))
    with run_lock(project, "audioarticles recover"):
        if not catalog_missing(project) and (not force or postgres):
            try:
                with connect(project, keep_backups=False) as current:
                    count = len(current.episodes())
            except CatalogUnusable:
                count = -1
            if count > 0 and postgres:
                raise UserError(f"{catalog_name(project)} holds {count} episode(s): recover "
                                "only fills an empty catalog. Keep a copy (pg_dump), then point "
                                "[catalog] url at an empty database (or drop this one's tables) "
                                "and run `audioarticles recover` again")
            if count > 0:
                raise UserError(f"the catalog {shown_path(path)} is readable and holds {count} "
                                "episode(s): nothing to recover. `audioarticles recover --force` "
                                "rebuilds it anyway (the current one is kept aside)")
        feed = read_feed(project.output / FEED, channel_settings(project).url(""))
        result = episodes_from_output(project, feed)
        _identify(result.episodes, project)
        if not result.episodes:
            raise UserError(f"nothing to recover from: no episode audio in "
                            f"{shown_path(project.output / 'episodes')} or "
                            f"{shown_path(project.unreleased_dir / 'episodes')}")
        roots = (project.output, project.unreleased_dir)  # where the chapters and VTTs are
        if postgres:
            with connect(project) as catalog:
                catalog.retrying(lambda: _fill(catalog, result, feed, roots))
            return result
        draft = path.with_name(f".{path.name}.recovering.part")
        _remove_database(draft)
        with Catalog(draft, keep_backups=False) as catalog, catalog.transaction():
            _fill(catalog, result, feed, roots)
        if not catalog_missing(project):
            result.kept_aside = path.with_name(
                f"catalog-replaced-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}.sqlite")
            os.replace(path, result.kept_aside)
        for suffix in ("-wal", "-shm"):  # journals of the catalog replaced, or of none
            old = path.with_name(path.name + suffix)
            if old.exists() and result.kept_aside is not None:
                os.replace(old, result.kept_aside.with_name(result.kept_aside.name + suffix))
            elif old.exists():
                old.unlink()
        os.replace(draft, path)
        _remove_database(draft)
    return result


def _fill(catalog: SqlCatalog, result: Recovered, feed: PublishedFeed,
          roots: tuple[Path, ...]) -> None:
    """Write the recovered episodes into an empty catalog (inside the caller's transaction),
    with the chapters and cues read from their files in `roots`."""
    stamp = feed.last_build or now_iso()
    # the feed breaks ties between equal dates by catalog order: insert in that order
    place = {item.guid: n for n, item in enumerate(reversed(feed.items))}
    result.episodes.sort(key=lambda e: (e.guid in place, place.get(e.guid, 0), e.pub_date))
    for episode in result.episodes:
        catalog.save(episode)
        catalog.claim_slug(episode.guid, episode.slug)
        catalog.add_event(EditorialEvent(
            guid=episode.guid, slug=episode.slug, at=now_iso(), from_state="",
            to_state=episode.state, actor=ACTOR,
            reason="catalog rebuilt from the published files"))
    if feed.podcast_guid:
        catalog.set_setting("podcast_guid", feed.podcast_guid)
        catalog.set_setting("feed_created_at", stamp)
    for name, guid in result.retired:
        catalog.retire_file(RetiredFile(path=name, guid=guid, retired_at=now_iso()))
    read_back_timing(catalog, result.episodes, roots)
    catalog.set_setting(TIMING_KEPT, "1")
    # lastBuildDate comes from the catalog: keep the feed's, so a rebuild changes nothing
    catalog.restamp(stamp)
    result.episodes = catalog.episodes()


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


# ---- chapters and cues of episodes whose catalog row does not hold them ----------------------

_CUE_TIME = re.compile(
    r"^(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})\s+-->\s+(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})")
_TAG = re.compile(r"<[^>]*>")
_WORD_STAMP = re.compile(r"<((?:\d+:)?\d{1,2}:\d{2}\.\d{3})>")
#: in the catalog's settings once the episodes' chapters and cues were read back into it
TIMING_KEPT = "timing_kept"


def _ms(hours: str | None, minutes: str, seconds: str, millis: str) -> int:
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(millis)


def parse_vtt(text: str) -> list[Cue]:
    """The cues of a WebVTT (or SRT) file, each as one line of plain text (tags removed,
    entities read): the inverse of `transcripts.to_vtt`, for episodes whose cues were not
    kept in the catalog (recovered, or converted before it kept them)."""
    cues: list[Cue] = []
    lines = text.replace("\ufeff", "").splitlines()
    i, count = 0, len(lines)
    while i < count:
        match = _CUE_TIME.match(lines[i].strip()) if "-->" in lines[i] else None
        i += 1
        if match is None:
            continue
        words = []
        while i < count and lines[i].strip():
            words.append(lines[i])
            i += 1
        raw = " ".join(words)
        cue_text = _plain(raw)
        if cue_text:
            g = match.groups()
            start, end = _ms(*g[:4]), _ms(*g[4:])
            cues.append(Cue(start, end, (cue_text,), _timed_words(raw, start, end)))
    return cues


def _plain(text: str) -> str:
    if "<" in text:
        text = _TAG.sub("", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.split())


def _timed_words(raw: str, start: float, end: float) -> tuple[WordTime, ...]:
    """The runs of words of a cue with timestamps (`<00:00:01.250>`), each from its time to
    the next one's; () when the cue has none."""
    parts = _WORD_STAMP.split(raw)
    if len(parts) == 1:
        return ()
    runs = [(start, parts[0])]
    for stamp, text in zip(parts[1::2], parts[2::2]):
        hours, minutes, rest = ([None] + stamp.split(":"))[-3:]
        seconds, millis = rest.split(".")
        runs.append((_ms(hours, minutes, seconds, millis), text))
    runs = [(at, _plain(text)) for at, text in runs if _plain(text)]
    ends = [at for at, _ in runs[1:]] + [end]
    return tuple(WordTime(at, until, text) for (at, text), until in zip(runs, ends))


def read_back_timing(catalog: CatalogStore, episodes: list[Episode],
                     roots: tuple[Path, ...]) -> int:
    """Keep in the catalog the chapters and cues of `episodes` that it does not hold yet, read
    from their chapters and VTT files (in the first of `roots` holding each); inside the
    caller's transaction. Returns how many episodes changed."""

    def read(name: str) -> str | None:
        for root in roots:
            with contextlib.suppress(OSError, UnicodeDecodeError):
                return (root / name).read_text(encoding="utf-8")
        return None

    changed = 0
    for episode in episodes:
        touched = False
        if not isinstance(episode.meta.get("chapters"), list) and episode.chapters:
            with contextlib.suppress(TypeError, ValueError):
                text = read(episode.chapters)
                if text is not None:
                    episode.meta["chapters"] = to_entries(from_entries(json.loads(text)))
                    catalog.save(episode)
                    touched = True
        if episode.transcripts.get("vtt") and not catalog.cues(episode.guid):
            text = read(episode.transcripts["vtt"])
            if text is not None:
                catalog.set_cues(episode.guid, parse_vtt(text))
                touched = True
        changed += touched
    return changed


def keep_timing(catalog: CatalogStore, project: Settings) -> None:
    """Once per catalog: read back the chapters and cues of the episodes converted before the
    catalog kept them (conversions since keep them at render time). Their rows change, so the
    feed's lastBuildDate moves once."""
    if catalog.setting(TIMING_KEPT):
        return
    with catalog.transaction():
        read_back_timing(catalog, catalog.episodes(), (project.output, project.unreleased_dir))
        catalog.set_setting(TIMING_KEPT, "1")


def catalog_check(project: Settings) -> dict:
    """`doctor --config`: whether the catalog can be reached and read, or the fix
    (`{"part", "where", "ok", "message"}`). A missing SQLite file is not created and a
    PostgreSQL schema is not migrated (a SQLite file is opened as every command opens it)."""
    url = postgres_url(project)
    where = shown_path(project.catalog_path)
    try:
        if url:
            from audioarticles.store.postgres import schema_state, shown_url

            where = shown_url(url)
            version, episodes = schema_state(url)
        elif catalog_missing(project):
            return {"part": "catalog", "where": where, "ok": True,
                    "message": "not created yet (the first conversion creates it)"}
        else:
            with Catalog(project.catalog_path, keep_backups=False) as catalog:
                version, episodes = catalog.schema_version, catalog.counts()["episodes"]
    except UserError as exc:
        return {"part": "catalog", "where": where, "ok": False, "message": str(exc)}
    if version > len(catalog_module.MIGRATIONS):
        return {"part": "catalog", "where": where, "ok": False,
                "message": f"written by a newer audioarticles (schema {version}); upgrade the tool"}
    state = ("no schema yet (the first command creates it)" if version == 0 else
             f"schema {version} of {len(catalog_module.MIGRATIONS)}, {episodes} episode(s)")
    return {"part": "catalog", "where": where, "ok": True, "message": f"reachable; {state}"}
