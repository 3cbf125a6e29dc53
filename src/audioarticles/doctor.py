"""`audioarticles doctor`: check a published feed where listeners fetch it (HTTPS, byte ranges,
lengths, MIME types, CORS, cover art) and say what to change on the host for each problem."""

from __future__ import annotations

import functools
import io
import ipaddress
import json
import re
import threading
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import resources
from urllib.parse import urljoin, urlsplit

import requests

from audioarticles.version import __version__
from audioarticles.errors import UsageError

ERROR, WARNING, INFO = "error", "warning", "info"
HOSTS = {"nginx": "nginx", "apache": "Apache", "s3": "S3", "netlify": "Netlify"}

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
# podcastparser and older feeds still use the namespace's first URI
PODCAST_NS = ("https://podcastindex.org/namespace/1.0",
              "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md")

WEB_PLAYER_ORIGIN = "https://player.example"  # stands for any web player on another site
ARTWORK_MIN_PX, ARTWORK_MAX_PX = 1400, 3000
READ_LIMIT = 25 * 1024 * 1024  # a feed, transcript, chapters file or image is read up to this
FIRST_BYTES = 10  # the first range asked of each enclosure

FEED_TYPES = {"application/rss+xml", "application/xml", "text/xml"}
VTT_TYPES = {"text/vtt"}
SRT_TYPES = {"application/x-subrip", "application/srt", "text/srt", "text/plain"}
JSON_TYPES = {"application/json", "application/json+chapters"}
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}


# --- findings -------------------------------------------------------------------------------

@functools.cache
def host_fixes() -> dict[str, dict[str, str]]:
    """What to change on the host per check (data/host_fixes.toml)."""
    text = (resources.files("audioarticles") / "data" / "host_fixes.toml").read_text("utf-8")
    return tomllib.loads(text)


@dataclass(frozen=True)
class Finding:
    """One problem (or note) about one address, and what to do about it."""

    severity: str  # error | warning | info
    check: str  # a key of data/host_fixes.toml, stable for scripts
    url: str
    message: str

    @property
    def fix(self) -> str:
        return host_fixes().get(self.check, {}).get("summary", "")

    @property
    def fix_by_host(self) -> dict[str, str]:
        entry = host_fixes().get(self.check, {})
        return {host: entry[host] for host in HOSTS if host in entry}

    def as_dict(self) -> dict:
        return {"severity": self.severity, "check": self.check, "url": self.url,
                "message": self.message, "fix": self.fix, "fix_by_host": self.fix_by_host}


@dataclass
class DoctorReport:
    feed_url: str
    findings: list[Finding] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=lambda: {
        "episodes": 0, "enclosures": 0, "transcripts": 0, "chapters": 0, "artwork": 0})

    def add(self, severity: str, check: str, url: str, message: str) -> None:
        self.findings.append(Finding(severity, check, url, message))

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def ok(self) -> bool:
        """No error-level finding: listeners can subscribe, play and seek."""
        return self.count(ERROR) == 0

    def as_dict(self) -> dict:
        return {"feed": self.feed_url, "ok": self.ok, "errors": self.count(ERROR),
                "warnings": self.count(WARNING), "checked": dict(self.checked),
                "findings": [f.as_dict() for f in self.findings]}


# --- what the feed points at ------------------------------------------------------------------

@dataclass(frozen=True)
class Resource:
    """A file the feed points at, with what the feed says about it."""

    kind: str  # enclosure | transcript | chapters | artwork
    url: str
    declared_type: str = ""
    declared_length: int | None = None
    where: str = ""  # "the channel" or the episode's title


class Findings(list):
    """The findings about one resource; `add` says where in the feed it is."""

    def __init__(self, resource: Resource):
        super().__init__()
        self.resource = resource

    def add(self, severity: str, check: str, message: str) -> None:
        self.append(Finding(severity, check, self.resource.url,
                            f"{self.resource.where}: {message}"))


def _local(tag: str) -> tuple[str, str]:
    """('namespace', 'name') of an ElementTree tag."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def feed_resources(channel: ET.Element, max_episodes: int | None = None) -> list[Resource]:
    """Artwork, then per item: enclosure, transcripts, chapters, episode artwork (feed order)."""
    found: list[Resource] = []
    image = channel.find(f"{{{ITUNES_NS}}}image")
    if image is not None and image.get("href"):
        found.append(Resource("artwork", image.get("href", "").strip(), where="the channel"))
    rss_image = channel.findtext("image/url")
    if rss_image and rss_image.strip() not in {r.url for r in found}:
        found.append(Resource("artwork", rss_image.strip(), where="the channel <image>"))
    items = channel.findall("item")
    if max_episodes is not None:
        items = items[:max_episodes]
    for number, item in enumerate(items, start=1):
        where = (item.findtext("title") or item.findtext("guid") or f"item {number}").strip()
        enclosure = item.find("enclosure")
        if enclosure is not None and enclosure.get("url"):
            found.append(Resource("enclosure", enclosure.get("url", "").strip(),
                                  enclosure.get("type", ""),
                                  _int_or_none(enclosure.get("length")), where))
        for child in item:
            namespace, name = _local(child.tag)
            if namespace in PODCAST_NS and name in ("transcript", "chapters") and child.get("url"):
                kind = "transcript" if name == "transcript" else "chapters"
                found.append(Resource(kind, child.get("url", "").strip(), child.get("type", ""),
                                      where=where))
        episode_image = item.find(f"{{{ITUNES_NS}}}image")
        if episode_image is not None and episode_image.get("href"):
            found.append(Resource("artwork", episode_image.get("href", "").strip(), where=where))
    unique: dict[tuple[str, str], Resource] = {}
    for resource in found:
        unique.setdefault((resource.kind, resource.url), resource)
    return list(unique.values())


# --- HTTP ---------------------------------------------------------------------------------------

class FetchFailed(Exception):
    """The host could not be reached for one request (DNS, refused, TLS, timeout)."""


class Fetcher:
    """requests with a timeout, one session per worker thread, failures as FetchFailed."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers["User-Agent"] = f"audioarticles-doctor/{__version__}"
            self._local.session = session
        return session

    def __call__(self, method: str, url: str, headers: dict | None = None) -> requests.Response:
        try:
            return self.session.request(method, url, headers=headers or {}, timeout=self.timeout,
                                        stream=True, allow_redirects=True)
        except requests.RequestException as exc:
            raise FetchFailed(_reason(exc)) from exc


def _reason(exc: Exception) -> str:
    """The innermost, most telling part of a requests error."""
    text = str(exc)
    match = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    if match:
        return match.group(1).strip()
    if isinstance(exc, requests.Timeout):
        return "timed out"
    return text.split(": ")[-1][:200] if text else type(exc).__name__


def read_body(response: requests.Response, limit: int = READ_LIMIT) -> bytes:
    """At most `limit` bytes of a streamed response, then close it (a 200 to a Range request may
    be the whole hour of audio). A body shorter than its Content-Length is returned as it came:
    the caller compares."""
    response.raw.enforce_content_length = False
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.raw.stream(64 * 1024, decode_content=True):
            chunks.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
    except Exception as exc:  # a broken connection: the caller sees the bytes that came
        if not chunks:
            raise FetchFailed(_reason(exc)) from exc
    finally:
        response.close()
    return b"".join(chunks)[:limit]


def media_type(response: requests.Response) -> tuple[str, str]:
    """('type/subtype', charset) of a response, lower case; ('', '') when absent."""
    value = response.headers.get("Content-Type", "")
    parts = [p.strip() for p in value.split(";")]
    charset = ""
    for part in parts[1:]:
        key, _, val = part.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip('"').lower()
    return parts[0].lower(), charset


def status_text(response: requests.Response) -> str:
    return f"{response.status_code} {response.reason or ''}".strip()


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# --- the checks -----------------------------------------------------------------------------------

Check = Callable[[Fetcher, Resource], list[Finding]]


def check_enclosure(fetch: Fetcher, resource: Resource) -> list[Finding]:
    """HEAD, then two Range requests (first bytes, last byte); sizes must agree everywhere."""
    url = resource.url
    findings = Findings(resource)
    add = findings.add

    try:
        head = fetch("HEAD", url)
        head.close()
    except FetchFailed as exc:
        add(ERROR, "missing-file", f"audio unreachable ({exc})")
        return findings
    if head.status_code in (404, 410) or head.status_code >= 500:
        add(ERROR, "missing-file", f"audio answered {status_text(head)} to HEAD")
        return findings
    head_size: int | None = None
    head_headers = head.headers if head.status_code == 200 else None
    if head.status_code != 200:
        add(ERROR, "head-refused", f"answered {status_text(head)} to HEAD (200 expected)")
    else:
        head_size = _int_or_none(head.headers.get("Content-Length"))
        if head_size is None:
            add(ERROR, "content-length", "HEAD gives no Content-Length: apps cannot show the "
                                         "length or seek")
        served, _ = media_type(head)
        if _expects_mp3(resource) and served != "audio/mpeg":
            add(ERROR, "audio-mime",
                f"served as {served or 'no Content-Type'}, not audio/mpeg")
        encoding = head.headers.get("Content-Encoding", "identity").lower()
        if encoding not in ("", "identity"):
            add(WARNING, "compression", f"audio sent with Content-Encoding: {encoding}")

    size, range_findings = _check_ranges(fetch, resource, head_headers)
    findings.extend(range_findings)
    if head_size is not None and size is not None and head_size != size:
        add(ERROR, "content-length",
            f"HEAD says Content-Length: {head_size} but the file has {size} bytes")
    real_size = size if size is not None else head_size
    if resource.declared_length is None or resource.declared_length <= 0:
        add(ERROR, "feed-length", "the feed's enclosure has no length (apps need the byte size)")
    elif real_size is not None and resource.declared_length != real_size:
        add(ERROR, "feed-length", f"the feed says length=\"{resource.declared_length}\" but the "
                                  f"host serves {real_size} bytes")
    return findings


def _expects_mp3(resource: Resource) -> bool:
    path = urlsplit(resource.url).path.lower()
    return path.endswith(".mp3") or resource.declared_type.lower() in ("audio/mpeg", "audio/mp3")


_CONTENT_RANGE = re.compile(r"^\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*$", re.IGNORECASE)


def _ask_range(fetch: Fetcher, url: str, first: int, last: int, limit: int
               ) -> tuple[requests.Response, bytes]:
    response = fetch("GET", url, {"Range": f"bytes={first}-{last}", "Accept-Encoding": "identity"})
    # never read more than `limit` of a 200: it would be the whole file
    return response, read_body(response, limit=limit)


def _check_ranges(fetch: Fetcher, resource: Resource, head_headers: Mapping[str, str] | None
                  ) -> tuple[int | None, list[Finding]]:
    """Ask for the first bytes and the last byte; return the file's size as the host really
    serves it (Content-Range, or the whole body when ranges are ignored), if known."""
    url = resource.url
    findings = Findings(resource)
    add = findings.add

    last_wanted = FIRST_BYTES - 1
    limit = 1024 * 1024
    try:
        response, body = _ask_range(fetch, url, 0, last_wanted, limit)
    except FetchFailed as exc:
        add(ERROR, "missing-file", f"audio unreachable on GET ({exc})")
        return None, findings
    if response.status_code == 200:
        add(ERROR, "range", "answered 200 with the whole file to `Range: bytes=0-9` instead of "
                            "206 Partial Content: listeners cannot seek")
        _sniff_audio(resource, body, add)
        complete = len(body) < limit  # the whole file came: its size is known
        return (len(body) if complete else None), findings
    if response.status_code != 206:
        check = "missing-file" if response.status_code in (404, 410) else "range"
        add(ERROR, check, f"answered {status_text(response)} to `Range: bytes=0-9`")
        return None, findings

    match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
    if not match:
        add(ERROR, "range", f"206 with an unreadable Content-Range "
                            f"{response.headers.get('Content-Range', '(none)')!r}")
        return None, findings
    first, last, total_text = match.groups()
    if total_text == "*":
        add(ERROR, "content-length", "Content-Range does not give the file size (`/*`)")
        return None, findings
    size = int(total_text)
    expected_last = min(last_wanted, size - 1)
    if (int(first), int(last)) != (0, expected_last):
        add(ERROR, "range", f"asked bytes 0-{last_wanted}, got Content-Range bytes {first}-{last}")
    length = _int_or_none(response.headers.get("Content-Length"))
    if length is not None and length != expected_last + 1:
        add(ERROR, "content-length",
            f"206 for {expected_last + 1} bytes says Content-Length: {length}")
    if len(body) != expected_last + 1:
        add(ERROR, "range", f"206 for {expected_last + 1} bytes sent {len(body)} bytes")
    _sniff_audio(resource, body, add)
    if head_headers is not None and head_headers.get("Accept-Ranges", "").lower() != "bytes":
        add(WARNING, "range", "HEAD does not say `Accept-Ranges: bytes` (some apps check it "
                              "before seeking)")

    try:
        tail, tail_body = _ask_range(fetch, url, size - 1, size - 1, limit)
    except FetchFailed as exc:
        add(ERROR, "range", f"the last byte is unreachable ({exc})")
        return size, findings
    tail_range = _CONTENT_RANGE.match(tail.headers.get("Content-Range", ""))
    if tail.status_code != 206 or not tail_range or len(tail_body) != 1:
        add(ERROR, "content-length",
            f"the host says the file has {size} bytes but answered {status_text(tail)} with "
            f"{len(tail_body)} bytes to `Range: bytes={size - 1}-{size - 1}` (its last byte)")
    elif tail_range.group(3) != total_text:
        add(ERROR, "content-length", f"Content-Range gives two sizes: {total_text} and "
                                     f"{tail_range.group(3)}")
    return size, findings


def _sniff_audio(resource: Resource, first_bytes: bytes,
                 add: Callable[[str, str, str], None]) -> None:
    """An MP3 starts with an ID3 tag or an MPEG frame sync, never with '<html'."""
    if not _expects_mp3(resource) or not first_bytes:
        return
    if first_bytes.startswith(b"ID3"):
        return
    if len(first_bytes) >= 2 and first_bytes[0] == 0xFF and first_bytes[1] & 0xE0 == 0xE0:
        return
    preview = first_bytes[:FIRST_BYTES].decode("latin-1", "replace")
    add(ERROR, "not-audio", f"the file does not start like an MP3 (starts with {preview!r})")


def _cors(response: requests.Response) -> str | None:
    """None when a web player on another site may read the response, else what is wrong."""
    allowed = response.headers.get("Access-Control-Allow-Origin")
    if allowed is None:
        return "no Access-Control-Allow-Origin header: web players on other sites cannot load it"
    if allowed.strip() in ("*", WEB_PLAYER_ORIGIN):
        return None
    return f"Access-Control-Allow-Origin: {allowed.strip()} only (other sites' web players " \
           f"cannot load it)"


def _fetch_whole(fetch: Fetcher, resource: Resource, label: str
                 ) -> tuple[requests.Response | None, bytes, Findings]:
    """GET a small file as a web player on another site would; (None, b"", findings) when it
    cannot be had."""
    findings = Findings(resource)
    try:
        response = fetch("GET", resource.url, {"Origin": WEB_PLAYER_ORIGIN})
        body = read_body(response)
    except FetchFailed as exc:
        findings.add(ERROR, "missing-file", f"{label} unreachable ({exc})")
        return None, b"", findings
    if response.status_code != 200:
        findings.add(ERROR, "missing-file", f"{label} answered {status_text(response)}")
        return None, b"", findings
    return response, body, findings


def transcript_format(resource: Resource) -> str:
    """vtt | srt | json | html | other, from the declared type, else the file extension."""
    declared = resource.declared_type.lower().split(";")[0].strip()
    by_type = {"text/vtt": "vtt", "application/x-subrip": "srt", "application/srt": "srt",
               "text/srt": "srt", "application/json": "json", "text/html": "html"}
    if declared in by_type:
        return by_type[declared]
    suffix = urlsplit(resource.url).path.rsplit(".", 1)[-1].lower()
    return {"vtt": "vtt", "srt": "srt", "json": "json", "html": "html"}.get(suffix, "other")


def check_transcript(fetch: Fetcher, resource: Resource) -> list[Finding]:
    response, body, findings = _fetch_whole(fetch, resource, "transcript")
    if response is None:
        return findings
    add = findings.add

    served, charset = media_type(response)
    shown = response.headers.get("Content-Type", "no Content-Type")
    fmt = transcript_format(resource)
    if fmt == "vtt":
        if served not in VTT_TYPES:
            add(ERROR, "vtt-mime", f"WebVTT served as {shown}, not text/vtt; charset=utf-8")
        elif charset not in ("utf-8", "utf8"):
            add(WARNING, "charset", f"served as {shown}: add charset=utf-8")
    elif fmt == "srt":
        if served not in SRT_TYPES:
            add(WARNING, "srt-mime", f"SRT served as {shown}, not application/x-subrip")
        elif charset not in ("utf-8", "utf8"):
            add(WARNING, "charset", f"served as {shown}: add charset=utf-8")
    elif fmt == "json" and served not in JSON_TYPES:
        add(WARNING, "chapters-mime", f"JSON transcript served as {shown}, not application/json")
    problem = _cors(response)
    if problem:
        add(WARNING, "cors", problem)
    try:
        text = body.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError:
        add(ERROR, "transcript-content", "not UTF-8 text")
        return findings
    if fmt == "vtt" and not re.match(r"WEBVTT($|[ \t\r\n])", text):
        add(ERROR, "transcript-content", "does not start with WEBVTT: not a WebVTT file")
    elif fmt == "json":
        try:
            json.loads(text)
        except ValueError:
            add(ERROR, "transcript-content", "not valid JSON")
    elif fmt == "srt" and not re.match(r"\s*\d+\s*\r?\n\d\d:\d\d:\d\d[,.]\d{3} --> ", text):
        add(ERROR, "transcript-content", "does not start with an SRT cue (number, then times)")
    return findings


def check_chapters(fetch: Fetcher, resource: Resource) -> list[Finding]:
    response, body, findings = _fetch_whole(fetch, resource, "chapters")
    if response is None:
        return findings
    add = findings.add

    served, _ = media_type(response)
    if served not in JSON_TYPES:
        shown = response.headers.get("Content-Type", "no Content-Type")
        add(WARNING, "chapters-mime", f"chapters served as {shown}, not application/json")
    problem = _cors(response)
    if problem:
        add(WARNING, "cors", problem)
    try:
        document = json.loads(body.decode("utf-8").lstrip("\ufeff"))
    except (UnicodeDecodeError, ValueError):
        add(ERROR, "chapters-content", "not UTF-8 JSON")
        return findings
    chapters = document.get("chapters") if isinstance(document, dict) else None
    if not isinstance(chapters, list) or not chapters:
        add(ERROR, "chapters-content", "no `chapters` list")
    elif not all(isinstance(c, dict) and isinstance(c.get("startTime"), int | float)
                 for c in chapters):
        add(ERROR, "chapters-content", "a chapter has no numeric `startTime`")
    return findings


def check_artwork(fetch: Fetcher, resource: Resource) -> list[Finding]:
    from PIL import Image

    response, body, findings = _fetch_whole(fetch, resource, "cover art")
    if response is None:
        return findings
    add = findings.add
    served, _ = media_type(response)
    try:
        with Image.open(io.BytesIO(body)) as image:
            image_format, (width, height), mode = image.format, image.size, image.mode
    except (OSError, ValueError, Image.DecompressionBombError):  # not an image Pillow reads
        add(ERROR, "artwork-type", f"not a readable image (served as {served or 'no type'}, "
                                   f"{len(body)} bytes)")
        return findings
    if image_format not in IMAGE_TYPES:
        add(ERROR, "artwork-type", f"a {image_format} image: podcast apps need JPEG or PNG")
    elif served != IMAGE_TYPES[image_format]:
        add(ERROR if served not in IMAGE_TYPES.values() else WARNING, "artwork-type",
            f"a {image_format} image served as {served or 'no Content-Type'}")
    if width != height:
        add(ERROR, "artwork-size", f"{width}×{height} px: cover art must be square")
    if not all(ARTWORK_MIN_PX <= side <= ARTWORK_MAX_PX for side in (width, height)):
        add(ERROR, "artwork-size", f"{width}×{height} px: cover art must be {ARTWORK_MIN_PX} to "
                                   f"{ARTWORK_MAX_PX} px on a side")
    if mode == "CMYK":
        add(ERROR, "artwork-colour", "saved in CMYK")
    return findings


CHECKS: dict[str, Check] = {
    "enclosure": check_enclosure,
    "transcript": check_transcript,
    "chapters": check_chapters,
    "artwork": check_artwork,
}
CHECKED_KEY = {"enclosure": "enclosures", "transcript": "transcripts", "chapters": "chapters",
               "artwork": "artwork"}


# --- the feed itself ------------------------------------------------------------------------------

def _check_https(report: DoctorReport, asked: str, final: str) -> None:
    final_parts = urlsplit(final)
    if final_parts.scheme == "https":
        if urlsplit(asked).scheme == "http" and not is_loopback(urlsplit(asked).hostname):
            report.add(WARNING, "https", asked, "plain-HTTP address redirected to HTTPS: give "
                                                "the https:// address to directories and apps")
        return
    if is_loopback(final_parts.hostname):
        report.add(INFO, "https", final, "plain HTTP on a loopback address: fine for a local "
                                         "test, but publish over HTTPS")
    else:
        report.add(ERROR, "https", final, "the feed is served over plain HTTP: web players on "
                                          "HTTPS pages block it, and anyone on the way can "
                                          "change it; publish over HTTPS")


def _check_addresses(report: DoctorReport, feed_url: str, found: list[Resource]) -> None:
    plain = [r.url for r in found if urlsplit(r.url).scheme == "http"
             and not is_loopback(urlsplit(r.url).hostname)]
    if plain:
        report.add(ERROR, "http-url", plain[0],
                   f"{len(plain)} address(es) in the feed use plain http://, e.g. this one")


def _fetch_feed(fetch: Fetcher, report: DoctorReport, feed_url: str
                ) -> tuple[str, bytes] | None:
    try:
        response = fetch("GET", feed_url)
        body = read_body(response)
    except FetchFailed as exc:
        report.add(ERROR, "feed-unreachable", feed_url, f"the feed is unreachable ({exc})")
        return None
    final = response.url or feed_url
    _check_https(report, feed_url, final)
    if response.status_code != 200:
        report.add(ERROR, "feed-unreachable", final,
                   f"the feed answered {status_text(response)}")
        return None
    served, _ = media_type(response)
    if served not in FEED_TYPES:
        report.add(WARNING, "feed-content-type", final,
                   f"the feed is served as {served or 'no Content-Type'}")
    return final, body


def _parse_feed(report: DoctorReport, feed_url: str, body: bytes) -> ET.Element | None:
    """The RSS <channel>, once feedparser (as apps parse) and the XML parser both accept it."""
    import feedparser

    parsed = feedparser.parse(body)
    bozo = parsed.get("bozo_exception")
    if (parsed.get("bozo") and not isinstance(bozo, feedparser.CharacterEncodingOverride)) \
            or not parsed.get("version"):
        reason = str(bozo) if bozo else "not RSS or Atom"
        report.add(ERROR, "feed-parse", feed_url, f"feedparser cannot read the feed: {reason}")
        return None
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        report.add(ERROR, "feed-parse", feed_url, f"the feed is not well-formed XML: {exc}")
        return None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        report.add(ERROR, "feed-parse", feed_url,
                   f"a {parsed.get('version')} feed, not RSS 2.0: podcast apps need RSS")
        return None
    return channel


def diagnose(feed_url: str, *, timeout: float = 15.0, max_episodes: int | None = None,
             jobs: int = 4) -> DoctorReport:
    """Check the feed at `feed_url` and everything it points at, as listeners' apps fetch them."""
    parts = urlsplit(feed_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{feed_url}: not an http(s) address; give the feed's public URL, "
                         f"e.g. https://example.org/feed.xml")
    if max_episodes is not None and max_episodes < 1:
        raise UsageError(f"--max-episodes {max_episodes}: must be at least 1")
    report = DoctorReport(feed_url)
    fetch = Fetcher(timeout)
    fetched = _fetch_feed(fetch, report, feed_url)
    if fetched is None:
        return report
    final_url, body = fetched
    channel = _parse_feed(report, final_url, body)
    if channel is None:
        return report

    found = []
    for resource in feed_resources(channel, max_episodes):
        absolute = urljoin(final_url, resource.url)
        if urlsplit(resource.url).scheme not in ("http", "https"):
            report.add(ERROR, "relative-url", resource.url,
                       f"{resource.where}: not an absolute http(s) address")
            if urlsplit(resource.url).scheme:
                continue
        found.append(Resource(resource.kind, absolute, resource.declared_type,
                              resource.declared_length, resource.where))
    report.checked["episodes"] = len(channel.findall("item")[:max_episodes])
    if not any(r.kind == "enclosure" for r in found):
        report.add(ERROR, "feed-empty", final_url, "no episode with an <enclosure>")
    if not any(r.kind == "artwork" and r.where.startswith("the channel") for r in found):
        report.add(ERROR, "artwork-missing", final_url, "the channel has no <itunes:image>")
    elif channel.find(f"{{{ITUNES_NS}}}image") is None:
        report.add(WARNING, "artwork-missing", final_url,
                   "only an RSS <image>: Apple Podcasts reads <itunes:image href=...>")
    _check_addresses(report, final_url, found)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(lambda r: CHECKS[r.kind](fetch, r), found))
    for resource, findings in zip(found, results, strict=True):
        report.checked[CHECKED_KEY[resource.kind]] += 1
        report.findings.extend(findings)
    return report


SEVERITY_ORDER = (ERROR, WARNING, INFO)


def format_report(report: DoctorReport) -> str:
    """The report as people read it: findings grouped by check, errors first, the fix once."""
    checked = report.checked
    lines = [(f"feed {report.feed_url}: checked {checked['episodes']} episode(s), "
             f"{checked['enclosures']} enclosure(s), {checked['transcripts']} transcript(s), "
             f"{checked['chapters']} chapters file(s), {checked['artwork']} image(s)")]
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in sorted(report.findings, key=lambda f: SEVERITY_ORDER.index(f.severity)):
        groups.setdefault((finding.severity, finding.check), []).append(finding)
    for (severity, check), findings in groups.items():
        lines.append("")
        lines.append(f"{severity}: [{check}]")
        for finding in findings:
            lines.append(f"  {finding.url}")
            lines.append(f"    {finding.message}")
        if findings[0].fix:
            lines.append(f"  fix: {findings[0].fix}")
        for host, advice in findings[0].fix_by_host.items():
            lines.append(f"    {HOSTS[host]}: {advice}")
    lines.append("")
    errors, warnings = report.count(ERROR), report.count(WARNING)
    if report.ok:
        lines.append(f"ok: no errors, {warnings} warning(s)")
    else:
        lines.append(f"{errors} error(s), {warnings} warning(s): listeners will have problems "
                     f"until the errors are fixed on the host")
    return "\n".join(lines)
