"""Project settings: the typed schema of audioarticles.toml (its defaults live here and only
here), checked when a project loads together with the project's other files: voice profiles,
engine sections, boilerplate.toml, lexicon.toml and optout.toml.

`Settings` is what a loaded project folder is configured with; `load_settings` reads and checks
it. A mistake is a `UsageError` naming the file, the key and the fix (see validation.py).
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
import typing
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)

from audioarticles import engines
from audioarticles.cover_rules import cover_format
from audioarticles.errors import UsageError
from audioarticles.languages import language_tag
from audioarticles.pauses import Pauses
from audioarticles.validation import Section, check, closest
from audioarticles.voices import PROFILE_FOLDER, Voice, load_voices

CONFIG_NAME = "audioarticles.toml"
STATE_DIR = ".audioarticles"
BOILERPLATE_FILE = "boilerplate.toml"
LEXICON_FILE = "lexicon.toml"
OPTOUT_FILE = "optout.toml"

# MP3 bitrates (kb/s) by sample rate: MPEG-1 Layer III above 32 kHz, MPEG-2 below
MPEG1_RATES = (32000, 44100, 48000)
MPEG1_BITRATES = (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
MPEG2_BITRATES = (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)


def _time_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not a known time zone; use an IANA name such as \"Europe/Paris\" or "
                         "\"America/Montreal\"") from None
    return name


def _language_code(code: str) -> str:
    tag = language_tag(code)
    if tag is None:
        raise ValueError("not an ISO 639 language code; use e.g. \"fr\", \"fr-CA\" or \"en\"")
    return tag


def _one_or_more(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


def _regex(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"not a regular expression ({exc}); fix the pattern") from None
    return pattern


def _absolute_url(value: str) -> str:
    """An absolute http(s) URL (surrounding spaces dropped); "" stays "" (the key is off)."""
    url = value.strip()
    parts = urlsplit(url)
    if url and (parts.scheme not in ("http", "https") or not parts.netloc):
        raise ValueError("not an absolute http(s) URL; write it in full, e.g. "
                         "\"https://example.org/podcast/\", or leave it empty")
    return url


def _base_url(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty; write where output/ is published, e.g. "
                         "\"https://example.org/podcast/\"")
    url = _absolute_url(value)
    return url if url.endswith("/") else url + "/"


@functools.cache
def apple_categories() -> dict[str, tuple[str, ...]]:
    """Apple Podcasts' categories and their subcategories (data/apple_categories.toml)."""
    text = resources.files("audioarticles").joinpath("data/apple_categories.toml").read_text("utf-8")
    return {name: tuple(subs) for name, subs in tomllib.loads(text).items()}


def parse_category(value: str) -> tuple[str, str | None]:
    """`"News"` or `"News > Daily News"`, checked against Apple's list (exact English names);
    a ValueError says what to write instead."""
    known = apple_categories()
    parts = [p.strip() for p in str(value).split(">")]
    if len(parts) > 2 or not all(parts):
        raise ValueError("write \"Category\" or \"Category > Subcategory\" with Apple's English "
                         "names")
    name = parts[0]
    if name not in known:
        close = closest(name, list(known))
        raise ValueError(f"{name!r} is not an Apple Podcasts category" +
                         (f"; did you mean {close!r}?" if close else
                          f"; valid values: {', '.join(known)}"))
    if len(parts) == 1:
        return name, None
    sub = parts[1]
    if sub not in known[name]:
        close = closest(sub, list(known[name]))
        valid = ", ".join(known[name]) or "none (use the category alone)"
        raise ValueError(f"{sub!r} is not a subcategory of {name!r} in Apple Podcasts" +
                         (f"; did you mean {close!r}?" if close else f"; valid values: {valid}"))
    return name, sub


def _categories(values: list[str]) -> list[str]:
    if not values:
        raise ValueError("is empty; Apple Podcasts needs one, e.g. \"News\"")
    for value in values:
        parse_category(value)
    return values


def _at_most(limit: int):
    """A text of at most `limit` characters once its runs of spaces are single spaces."""
    def check(value: str) -> str:
        value = " ".join(value.split())
        if len(value) > limit:
            raise ValueError(f"is {len(value)} characters; the Podcasting 2.0 namespace allows "
                             f"{limit}: shorten it")
        return value
    return AfterValidator(check)


def _template(*fields: str):
    """A text whose `{fields}` are among `fields` (spaces made single)."""
    def check(value: str) -> str:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            raise ValueError(f"bad template ({exc}); write fields as "
                             f"{{{fields[0] if fields else 'name'}}}") from None
        unknown = sorted(names - set(fields))
        if unknown:
            valid = ", ".join(f"{{{name}}}" for name in fields) or "none"
            raise ValueError(f"unknown field {{{unknown[0]}}}; valid fields: {valid}")
        return " ".join(value.split())
    return AfterValidator(check)


def _project_file(what: str, check_data=None):
    """A project-relative file that must exist (when given, and when the project folder is
    known: `check`'s context), its content checked by `check_data` (a ValueError)."""
    def check(value: str, info: ValidationInfo) -> str:
        name = value.strip()
        root = (info.context or {}).get("root")
        if not name or root is None:
            return name
        path = Path(root) / name
        if not path.is_file():
            raise ValueError(f"no such file; give the {what}'s path relative to the project "
                             "folder, or remove the key")
        if check_data is not None:
            check_data(path.read_bytes())
        return name
    return AfterValidator(check)


URL = Annotated[str, AfterValidator(_absolute_url)]
Cover = Annotated[str, _project_file("cover", cover_format)]
#: the fields an [audio.intro]/[audio.outro] text may name (intro_outro.template_values)
FRAME_FIELDS = ("title", "podcast", "publication", "author", "date")


Milliseconds = Annotated[int, Field(ge=0, le=60_000)]
Medium = Literal["podcast", "music", "video", "film", "audiobook", "newsletter", "blog",
                 "publisher", "course"]
MEDIUMS: tuple[str, ...] = typing.get_args(Medium)
Seasons = Literal["", "year"]
SEASONS: tuple[str, ...] = typing.get_args(Seasons)
Text = Annotated[str, Field(min_length=1)]
Pattern = Annotated[str, AfterValidator(_regex)]


class PodcastSection(Section):
    """`[podcast]`: what the feed and the site say about the podcast as a whole."""

    moved: ClassVar[dict[str, str]] = {
        "disclosure": "write it as text = \"...\" under [disclosure]"}

    title: str = Field("Articles à écouter", description="the podcast's name")
    description: str = Field("Les articles de la rédaction, lus à voix haute.")
    author: str = ""
    publication: str = Field("", description="the newspaper or site the articles come from")
    language: Annotated[str, AfterValidator(_language_code)] = Field(
        "fr", description="ISO 639 code of the feed (\"fr\", \"fr-CA\")")
    base_url: Annotated[str, AfterValidator(_base_url)] = Field("http://127.0.0.1:8000/",
                          description="where output/ is published (absolute http(s) URL)")
    link: URL = Field("", description="the publication's web site; empty: base_url")
    owner_name: str = ""
    owner_email: str = ""
    category: Annotated[list[str], BeforeValidator(_one_or_more),
                        AfterValidator(_categories)] = Field(
        ["News"], description="Apple's English names: \"News\" or \"News > Daily News\" "
                              "(or a list)")
    explicit: bool = False
    image: Cover = Field("", description="project-relative JPEG/PNG, square, 1400-3000 px; "
                                       "empty: a generated cover")
    timezone: Annotated[str, AfterValidator(_time_zone)] = Field(
        "Europe/Paris", description="for pubDate, and to read source dates that carry no zone")
    feed_limit: int = Field(100, ge=1, le=100_000,
                            description="newest N episodes in feed.xml; older ones stay on the "
                                        "site")
    new_feed_url: URL = Field("", description="set when the feed moves: itunes:new-feed-url")
    locked: bool = Field(True, description="podcast:locked: other platforms may not import "
                                           "the feed")
    # more of what apps show; each is written only when set
    copyright: str = ""
    txt: Annotated[str, _at_most(4000)] = Field("", description="podcast:txt, e.g. a platform's verification string (at "
                                     "most 4000 characters)")
    txt_purpose: Annotated[str, _at_most(128)] = Field("", description="e.g. \"verify\" (at most 128 characters)")
    funding_url: URL = Field("", description="podcast:funding: where listeners support the "
                                             "newsroom")
    funding_text: Annotated[str, _at_most(128)] = Field("", description="at most 128 "
                                                                         "characters")
    medium: Medium = Field("podcast", description="podcast:medium")
    license: Annotated[str, _at_most(128)] = Field("", description="podcast:license: an SPDX id (\"cc-by-4.0\") or a "
                                         "licence's name")
    license_url: URL = Field("", description="needed when the licence is not an SPDX id")
    numbering: bool = Field(False, description="itunes:episode / podcast:episode, given once "
                                               "per feed")
    seasons: Seasons = Field("", description="\"year\": the year of publication is the season")
    enclosure_prefix: URL = Field(
        "", description="a measurement service's prefix for the feeds' enclosure URLs (OP3: "
        "\"https://op3.dev/e/\", Podtrac: \"https://dts.podtrac.com/redirect.mp3/\"); the "
        "enclosure becomes the prefix followed by the MP3's URL without its scheme. The files, "
        "pages and players keep their own URLs")


Names = Annotated[list[Text], BeforeValidator(_one_or_more)]


class FeedEntry(Section):
    """`[[feeds]]`: a section, author or private feed beside the main one (publish/sections.py);
    it selects the episodes of its categories, authors, tags or voices."""

    name: str = Field(description="lower-case letters, digits, - or _; the feed is "
                                  "feeds/<name>.xml")
    title: str = Field(description="the feed's own title")
    description: str = ""
    image: Cover = Field("", description="project-relative cover; empty: the podcast's")
    private: bool = Field(False, description="true: only reachable with a token")
    numbering: bool | None = Field(None, description="unset: as [podcast] numbering")
    seasons: Seasons | None = Field(None, description="unset: as [podcast] seasons")
    categories: Names = Field(default_factory=list)
    authors: Names = Field(default_factory=list)
    tags: Names = Field(default_factory=list)
    voices: Names = Field(default_factory=list)


class PickupSection(Section):
    """`[pickup]`: telling apps and directories that a feed changed (publish/pickup.py)."""

    websub_hub: URL = Field("", description="e.g. a public WebSub hub: <atom:link rel=\"hub\"> "
                                            "and a publish ping")
    podping_url: URL = Field("", description="an HTTP Podping endpoint, called with ?url=<feed>")
    retries: int = Field(3, ge=1, le=10, description="attempts per notification; a failure is "
                                                     "a warning, never an error")
    timeout_s: float = Field(10.0, gt=0, le=300)


class VoiceSection(Section):
    """`[voice]`."""

    default: Text = Field("fr", description="the voice profile used without --voice")


class IntroSection(Section):
    """`[audio.intro]`: a spoken template and an optional jingle played first."""

    text: Annotated[str, _template(*FRAME_FIELDS)] = Field(
        "", description="fields {title} {podcast} {publication} {author} {date}; "
                                      "a sentence naming an empty field is left out; \"\" "
                                      "turns it off")
    jingle: Annotated[str, _project_file("jingle")] = Field(
        "", description="project-relative audio file")
    jingle_gain_db: float = Field(-6.0, ge=-60, le=20)
    jingle_fade_in_ms: Milliseconds = 0
    jingle_fade_out_ms: Milliseconds = 800


class OutroSection(IntroSection):
    """`[audio.outro]`: like the intro, said before the [disclosure] text (and its « mis à
    jour » line), its jingle played last."""

    jingle_fade_in_ms: Milliseconds = 300
    jingle_fade_out_ms: Milliseconds = 1500


class AudioSection(Section):
    """`[audio]`: how an episode is levelled and encoded, its pauses, intro and outro."""

    sample_rate: Literal[22050, 24000, 32000, 44100, 48000] = 44100
    bitrate: str = Field("64k", description="MP3, mono, CBR with a Xing/Info header: \"32k\" "
                                            "to \"320k\" (\"8k\" to \"160k\" below 32 kHz)")
    loudness_lufs: float = Field(-16.0, ge=-40, le=-5, description="integrated, EBU R128 "
                                                                   "(podcasts: -16)")
    true_peak_db: float = Field(-1.0, ge=-20, le=0)
    dual_mono: bool = Field(True, description="measure mono as players play it (both "
                                              "speakers): ≈ -19 LUFS plain mono")
    trim_threshold_db: float = Field(-45.0, ge=-90, le=-10, description="each engine's own "
                                     "leading/trailing silence below this is cut")
    trim_keep_ms: int = Field(15, ge=0, le=1000)
    pauses: Pauses = Field(default_factory=Pauses, description="silence by structure; a voice "
                           "profile's [pauses] table overrides these")
    intro: IntroSection = IntroSection()
    outro: OutroSection = OutroSection()

    @field_validator("bitrate")
    @classmethod
    def _mp3_bitrate(cls, bitrate: str, info: ValidationInfo) -> str:
        sample_rate = info.data.get("sample_rate", cls.model_fields["sample_rate"].default)
        allowed = MPEG1_BITRATES if sample_rate in MPEG1_RATES else MPEG2_BITRATES
        if bitrate not in [f"{rate}k" for rate in allowed]:
            listed = ", ".join(f'"{rate}k"' for rate in allowed)
            raise ValueError(f"not an MP3 bitrate at {sample_rate} Hz; use one of {listed}")
        return bitrate


class TagsSection(Section):
    """`[tags]`: what goes into each MP3's ID3 tags."""

    cover_px: int = Field(600, ge=100, le=3000, description="the artwork embedded in each MP3, "
                                                            "as a JPEG this many pixels wide")
    chapter_title_chars: int = Field(60, ge=10, le=1000, description="ID3 chapter titles are "
                                     "cut to this for Apple Podcasts")


class EditorialSection(Section):
    """`[editorial]`: what happens to an episode once it is converted."""

    auto_publish: bool = Field(True, description="false: every new episode waits as a draft "
                                                 "for `publish`")
    publish_degraded: bool = Field(False, description="false: an episode voiced by a fallback "
                                                      "engine is held")
    embargo: Literal["article-date", "none"] = Field(
        "article-date", description="an article dated in the future waits until then")


class DisclosureSection(Section):
    """`[disclosure]`: the synthetic-voice disclosure, worded once: said at the end of the
    audio (so in the transcript), shown by the player, in the feed item and the MP3 comment."""

    enabled: bool = True
    text: Annotated[str, _template()] = "Cet épisode est lu par une voix de synthèse."
    engine_line: Annotated[str, _template("engine")] = Field("Synthèse vocale : {engine}.",
                             description="written after the text; \"\" leaves it out")
    updated: Annotated[str, _template("date")] = Field("", description="said after a correction, e.g. \"Article mis à jour "
                                         "le {date}.\"")
    engines: dict[str, str] = Field(default_factory=dict, description="engine names as "
                                    "listeners read them, over each engine's own, e.g. "
                                    "{ espeak = \"eSpeak NG\" }")

    @field_validator("text")
    @classmethod
    def _worded(cls, text: str, info: ValidationInfo) -> str:
        if info.data.get("enabled", True) and not text.strip():
            raise ValueError("is empty; word the disclosure, or set enabled = false")
        return text


class PublishSection(Section):
    """`[publish]`."""

    keep_old_audio_days: float = Field(7, ge=0, le=3650, description="after a re-voice, the "
                                       "previous MP3 and its side files stay reachable this "
                                       "many days, then they are deleted")


class PlayerSection(Section):
    """`[player]`: the web player on the pages and in embeds."""

    skip_s: Literal[15, 30] = Field(15, description="seconds the back and forward buttons "
                                    "(and the j / l keys) move")


class AnalyticsSection(Section):
    """`[analytics]`: listening events (play, pause, progress at 25/50/75 %, complete,
    ratechange, seek), without cookies or personal data."""

    beacon_url: URL = Field(
        "", description="where the player also sends each event with navigator.sendBeacon "
        "(e.g. the HTTP API's .../v1/events); empty: events are only DOM events and "
        "postMessage")


class BatchSection(Section):
    """`[batch]`."""

    lock_wait_s: float = Field(10, ge=0, le=3600, description="how long a second run waits "
                               "for the project's lock before refusing")


def _catalog_url(url: str) -> str:
    """A PostgreSQL URL without a password (credentials come from the environment)."""
    if not url:
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError("not a PostgreSQL URL; write \"postgresql://user@host/database\" "
                         "(or remove the key to keep the SQLite catalog in .audioarticles/)")
    if parts.password is not None or re.search(r"(^|[?&])password=", parts.query):
        raise ValueError("holds a password; remove it from audioarticles.toml and give it in "
                         "the environment (PGPASSWORD) or in ~/.pgpass")
    if not parts.path.strip("/"):
        raise ValueError("names no database; write \"postgresql://user@host/database\"")
    return url


class CatalogSection(Section):
    """`[catalog]`: where episodes are recorded. Absent: a SQLite file in .audioarticles/;
    a PostgreSQL URL: a database several machines share (`pip install
    'audioarticles[postgres]'`)."""

    url: Annotated[str, AfterValidator(_catalog_url)] = Field(
        "", description="\"postgresql://user@host/database\"; the password comes from the "
                        "environment (PGPASSWORD) or ~/.pgpass, never from this file; empty: "
                        ".audioarticles/catalog.sqlite")
    reconnect_s: float = Field(30, ge=0, le=3600, description="how long a lost connection to "
                               "PostgreSQL is retried before the run stops")


class LimitsSection(Section):
    """`[limits]`: inputs above these are refused with the limit in the message."""

    max_input_mb: float = Field(5, gt=0, le=1024, description="raw bytes of a file, stdin or "
                                                              "fetched page")
    max_article_chars: int = Field(60000, ge=100, le=2_000_000, description="text to read "
                                   "after cleaning (60000: about an hour of speech)")


class FetchSection(Section):
    """`[fetch]`: fetching article pages and feeds."""

    timeout_s: float = Field(20, gt=0, le=600, description="the whole fetch of one URL: DNS, "
                             "connection, redirects and body")
    max_redirects: int = Field(5, ge=0, le=30)
    user_agent: str = Field("", description="empty: \"audioarticles/<version> (podcast "
                                            "converter)\"")
    allow_private: bool = Field(False, description="loopback, private, link-local, CGNAT and "
                                "metadata addresses are refused (checked on the resolved "
                                "address, at every redirect); true lets an intranet CMS be "
                                "fetched")
    allow_hosts: list[Text] = Field(default_factory=list, description="or only these host "
                                    "names may resolve to such addresses")


class QueueSection(Section):
    """`[queue]`: conversions run by workers on a Dramatiq task queue (Redis broker). Absent
    `url`: the embedded default (threads of the command, nothing to start)."""

    url: str = Field("", description="the Redis broker, e.g. \"redis://localhost:6379/0\"; "
                     "its password comes from $REDISCLI_AUTH, never from this file")
    namespace: str = Field("audioarticles", pattern=r"^[A-Za-z0-9_.:-]{1,64}$",
                           description="prefix of every Redis key (projects sharing one Redis "
                           "need their own)")
    max_retries: int = Field(5, ge=0, le=100, description="tries after the first before an "
                             "article is dead-lettered")
    min_backoff_s: float = Field(15, gt=0, le=86400, description="wait before the first retry "
                                 "(doubling each time)")
    max_backoff_s: float = Field(3600, gt=0, le=7 * 86400)
    redelivery_s: float = Field(60, ge=1, le=3600, description="a worker silent this long is "
                                "taken for dead: its articles go to another worker")
    rebuild_debounce_s: float = Field(5, ge=0, le=3600, description="the feed and site are "
                                      "rebuilt once no article finished for this long...")
    rebuild_max_wait_s: float = Field(60, ge=0, le=86400, description="...or once the oldest "
                                      "finished article waited this long")
    release_interval_s: float = Field(60, ge=1, le=86400, description="how often scheduled "
                                      "episodes due for release are looked for")

    @field_validator("url")
    @classmethod
    def _redis_url(cls, url: str) -> str:
        from urllib.parse import urlsplit

        if not url:
            return url
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ValueError("not a Redis URL; e.g. url = \"redis://localhost:6379/0\"")
        if parts.password:
            raise ValueError("holds a password; remove it from the URL and set $REDISCLI_AUTH "
                             "in the workers' environment")
        return url
def _http_url_or_empty(value: str) -> str:
    if value and not re.match(r"https?://[^/\s]+", value):
        raise ValueError("not an http(s) URL; write it as \"https://cms.example.org/hook\"")
    return value


def _origin(value: str) -> str:
    if not re.fullmatch(r"https?://[^/\s]+", value):
        raise ValueError("not a web origin; write it as \"https://www.example.org\" (scheme "
                         "and host, no path)")
    return value


class WebhooksSection(Section):
    """`[api.webhooks]`: where the CMS hears that an episode is ready, failed or was taken down
    (webhooks.py). The signing secret is never written here: it comes from the environment
    variable AUDIOARTICLES_WEBHOOK_SECRET or from `secret_file`."""

    url: Annotated[str, AfterValidator(_http_url_or_empty)] = Field(
        "", description="where each event is POSTed (empty: no webhooks); it obeys the [fetch] "
                        "address rules (allow_private, allow_hosts)")
    secret_file: str = Field("", description="project-relative or absolute file holding the "
                                             "signing secret (else $AUDIOARTICLES_WEBHOOK_SECRET)")
    timeout_s: float = Field(10, gt=0, le=120, description="one delivery attempt, whole")
    max_attempts: int = Field(8, ge=1, le=30, description="then the delivery is marked failed "
                                                          "(see `audioarticles webhooks --failed`)")
    retry_base_s: float = Field(30, gt=0, le=3600, description="the first retry waits this "
                                "long, each next one twice as long (at most 6 hours)")


class ApiSection(Section):
    """`[api]`: the HTTP API a CMS calls (`audioarticles api`, service/)."""

    host: Text = Field("127.0.0.1", description="the address it listens on; anything but "
                       "loopback exposes it to the network (put TLS in front)")
    port: int = Field(8080, ge=0, le=65535)
    cors_origins: list[Annotated[str, AfterValidator(_origin)]] = Field(
        default_factory=list, description="web origins whose pages may call the API from a "
                                          "browser (none by default: no CORS headers)")
    max_body_kb: int = Field(2048, ge=1, le=100_000, description="larger request bodies are "
                             "refused (413)")
    rate_per_minute: int = Field(120, ge=1, le=100_000, description="requests per token per "
                                 "minute (429 with Retry-After beyond)")
    events_per_minute: int = Field(600, ge=1, le=1_000_000, description="listening events "
                                   "(POST /v1/events) accepted per minute, all players together")
    webhooks: WebhooksSection = WebhooksSection()


CREDENTIALS_FROM_ENVIRONMENT = (
    "credentials belong in the environment, never in audioarticles.toml: remove it and set "
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE)")
_CREDENTIAL_KEYS = ("key", "secret", "token", "access_key", "secret_key", "access_key_id",
                    "secret_access_key", "session_token", "aws_access_key_id",
                    "aws_secret_access_key", "aws_session_token", "password", "username",
                    "profile")


def check_storage_url(url: str) -> str:
    """An fsspec URL of a folder (`s3://bucket/prefix/`, `file:///srv/podcast/`,
    `sftp://host/path/`), without credentials in it; kept with one trailing slash."""
    if not url:
        return url
    parts = urlsplit(url)
    if not re.fullmatch(r"[a-z][a-z0-9+.-]*", parts.scheme) or len(parts.scheme) < 2:
        raise ValueError("not a storage URL; write \"s3://bucket/prefix/\" (or another fsspec "
                         "URL such as \"file:///srv/podcast/\"), or remove the key to keep "
                         "local folders")
    if parts.password is not None or parts.query or parts.fragment:
        raise ValueError("holds credentials or options; " + CREDENTIALS_FROM_ENVIRONMENT)
    if parts.scheme in ("s3", "s3a") and (parts.username is not None or not parts.netloc):
        raise ValueError("names no bucket (or holds credentials); write \"s3://bucket/prefix/\"")
    return url.rstrip("/") + "/"


def _endpoint_url(url: str) -> str:
    if not url:
        return url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) URL; write e.g. \"http://127.0.0.1:8333\"")
    if parts.username is not None or parts.password is not None:
        raise ValueError("holds credentials; " + CREDENTIALS_FROM_ENVIRONMENT)
    return url


class StorageSection(Section):
    """`[storage]`: where episode files and the site are kept. Absent: local folders (output/
    and .audioarticles/); fsspec URLs (`pip install 'audioarticles[s3]'`): object storage
    several machines share. Credentials come from the environment, never from this file."""

    moved: ClassVar[dict[str, str]] = dict.fromkeys(_CREDENTIAL_KEYS,
                                                    CREDENTIALS_FROM_ENVIRONMENT)

    public: Annotated[str, AfterValidator(check_storage_url)] = Field(
        "", description="where listeners fetch the feed, the site and published episodes' "
                        "files, e.g. \"s3://podcast-bucket/podcast/\" ([podcast] base_url is "
                        "its public address); empty: output/")
    private: Annotated[str, AfterValidator(check_storage_url)] = Field(
        "", description="unreleased episodes' files and the segment cache, e.g. "
                        "\"s3://podcast-private/newsroom/\" (never public); empty: "
                        ".audioarticles/ (required when public is set)")
    endpoint_url: Annotated[str, AfterValidator(_endpoint_url)] = Field(
        "", description="an S3-compatible store other than AWS, e.g. \"http://127.0.0.1:8333\"; "
                        "empty: AWS_ENDPOINT_URL, else AWS")

    @model_validator(mode="after")
    def _both_or_none(self) -> StorageSection:
        if bool(self.public) != bool(self.private):
            missing = "private" if self.public else "public"
            raise ValueError(f"set [storage] {missing} too: the public and private storage "
                             "go together (or remove both to keep local folders)")
        return self


class SettingsFile(Section):
    """audioarticles.toml. Each engine adds its own section (`[gtts]`, `[espeak]`, ...),
    see `settings_schema`."""

    podcast: PodcastSection = PodcastSection()
    feeds: list[FeedEntry] = Field(default_factory=list, description="[[feeds]] tables")
    pickup: PickupSection = PickupSection()
    voice: VoiceSection = VoiceSection()
    audio: AudioSection = AudioSection()
    tags: TagsSection = TagsSection()
    editorial: EditorialSection = EditorialSection()
    disclosure: DisclosureSection = DisclosureSection()
    publish: PublishSection = PublishSection()
    player: PlayerSection = PlayerSection()
    analytics: AnalyticsSection = AnalyticsSection()
    batch: BatchSection = BatchSection()
    catalog: CatalogSection = CatalogSection()
    limits: LimitsSection = LimitsSection()
    fetch: FetchSection = FetchSection()
    queue: QueueSection = QueueSection()
    api: ApiSection = ApiSection()
    storage: StorageSection = StorageSection()


@functools.cache
def _schema_for(names: tuple[str, ...]) -> type[SettingsFile]:
    sections: dict[str, Any] = {}
    for name in names:
        settings = engines.engine_class(name).Settings
        sections[name] = (settings, Field(default_factory=settings,
                                          description=f"settings of the {name} engine"))
    return create_model("SettingsFile", __base__=SettingsFile, **sections)


def settings_schema() -> type[SettingsFile]:
    """The schema of audioarticles.toml with a section for every registered engine."""
    return _schema_for(tuple(sorted(engines.registry())))


# ---- the project's other files ---------------------------------------------------------------

class Teasers(Section):
    stamp: list[Pattern] = Field(default_factory=list, description="a block matching one marks "
                                 "a teaser for another article")
    rubric_max_words: int = Field(3, ge=0, le=50)


class BoilerplateFile(Section):
    """boilerplate.toml (and the packaged boilerplate_<language>.toml): regular expressions
    matched against a whole block."""

    drop_lines: list[Pattern] = Field(default_factory=list, description="blocks dropped "
                                      "wherever they appear")
    cut_from: list[Pattern] = Field(default_factory=list, description="from a matching block "
                                    "to the end, everything is dropped")
    title_labels: list[Pattern] = Field(default_factory=list, description="a title beginning "
                                        "with a match loses that beginning (\"VIDÉO. \")")
    teasers: Teasers = Teasers()


class Pronounceable(Section):
    onsets: list[Text] = Field(default_factory=list, description="how a word read aloud may "
                               "begin")
    endings: list[Text] = Field(default_factory=list, description="how a word read aloud may "
                                "end")


class Acronyms(Section):
    words: list[Text] = Field(default_factory=list, description="read as a word (\"ONU\")")
    spell: list[Text] = Field(default_factory=list, description="spelled letter by letter")
    pronounceable: Pronounceable = Pronounceable()


class Abbreviations(Section):
    before_name: dict[str, str] = Field(default_factory=dict)
    before_number: dict[str, str] = Field(default_factory=dict)
    after_number: dict[str, str] = Field(default_factory=dict, description="only after a "
                                         "number (\"250 p.\", \"8 pts\")")
    anywhere: dict[str, str] = Field(default_factory=dict)


class Grammar(Section):
    feminine: list[Text] = Field(default_factory=list, description="nouns numbers agree with "
                                 "in the feminine")
    masculine: list[Text] = Field(default_factory=list, description="nouns that stay "
                                  "masculine whatever their ending")
    feminine_endings: list[Text] = Field(default_factory=list, description="endings of "
                                         "feminine nouns not listed")


class LexiconFile(Section):
    """lexicon.toml (and the packaged lexicon_fr.toml): how the voice says written forms."""

    say: dict[str, str] = Field(default_factory=dict, description="written form = what the "
                                "voice says, e.g. \"RGPD\" = \"èr gé pé dé\"")
    acronyms: Acronyms = Acronyms()
    letters: dict[str, str] = Field(default_factory=dict)
    countries: dict[str, str] = Field(default_factory=dict, description="nations as sport "
                                      "results write them: FRA = \"France\"")
    abbreviations: Abbreviations = Abbreviations()
    grammar: Grammar = Grammar()


class OptoutFile(Section):
    """optout.toml: articles that are never voiced."""

    categories: list[Text] = Field(default_factory=list)
    authors: list[Text] = Field(default_factory=list)
    urls: list[Text] = Field(default_factory=list)
    markers: list[Text] = Field(default_factory=list)
    selectors: list[Text] = Field(default_factory=list)


PROJECT_FILES: dict[str, type[Section]] = {
    BOILERPLATE_FILE: BoilerplateFile, LEXICON_FILE: LexiconFile, OPTOUT_FILE: OptoutFile}


# ---- reading -------------------------------------------------------------------------------

def read_toml(path, origin: str | None = None) -> dict:
    """A TOML file's data (a `Path` or a packaged resource); a file that is not valid TOML or
    not UTF-8 is a usage error naming the file (`origin`, else its path)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{origin or path}: not valid TOML ({exc}); fix the file or remove "
                         "it") from exc


def read_checked(path, schema: type[Section], origin: str | None = None) -> dict:
    """A TOML file's data checked against `schema`, with every default filled in."""
    return check(schema, read_toml(path, origin), origin or str(path)).model_dump()


class Settings:
    """What a project folder is configured with: its checked settings and where its private
    state and its published site live."""

    def __init__(self, root: str | Path, settings: dict | None = None,
                 out_dir: Path | None = None, origin: str = CONFIG_NAME):
        self.root = Path(root)
        self.values = check(settings_schema(), settings or {}, origin,
                            context={"root": self.root})
        #: the same values as plain tables, every default filled in
        self.settings: dict[str, Any] = self.values.model_dump()
        self.out_dir = out_dir

    @property
    def state_dir(self) -> Path:
        return self.root / STATE_DIR

    @property
    def output(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.root / "output"

    @property
    def catalog_path(self) -> Path:
        return self.state_dir / "catalog.sqlite"

    @property
    def unreleased_dir(self) -> Path:
        """Private mirror of the output folder: files of episodes that are not published."""
        return self.state_dir / "unreleased"

    @property
    def cache_dir(self) -> Path:
        return self.state_dir / "cache"

    def section(self, name: str) -> dict:
        return self.settings.get(name, {})

    def relative_source(self, path: Path) -> str:
        """The project-relative POSIX path of an input file (never absolute)."""
        resolved = path.resolve()
        try:
            return resolved.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            import os

            return Path(os.path.relpath(resolved, self.root.resolve())).as_posix()


def check_voices(settings: Settings) -> dict[str, Voice]:
    """Every voice profile (packaged and the project's `voices/*.toml`), its engine and that
    engine's options checked; and `[voice] default` names one of them."""
    voices = load_voices(settings.root)
    for voice in voices.values():
        engines.check_voice(voice)
    default = settings.values.voice.default
    if default not in voices:
        raise UsageError(f"{CONFIG_NAME}: [voice] default = \"{default}\" is not a voice "
                         f"profile; valid voices: {', '.join(sorted(voices))} (profiles are "
                         f"packaged or in {PROFILE_FOLDER}/)")
    return voices


def load_settings(root: str | Path | None = None, out: str | Path | None = None) -> Settings:
    """Read and check the settings of the project folder `root`: audioarticles.toml (if any)
    over the schema's defaults, its voice profiles and its boilerplate, lexicon and opt-out
    files. Any mistake is a UsageError naming the file and the key."""
    root_path = Path(root or ".").resolve()
    if not root_path.is_dir():
        raise UsageError(f"project folder {root_path} does not exist; pass an existing folder to --project")
    config_file = root_path / CONFIG_NAME
    data = read_toml(config_file) if config_file.exists() else {}
    settings = Settings(root_path, data, Path(out).resolve() if out else None)
    check_voices(settings)
    for name, schema in PROJECT_FILES.items():
        path = root_path / name
        if path.is_file():
            read_checked(path, schema, name)
    return settings
