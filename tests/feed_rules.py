"""A feed validator for the test suite, offline: the rules of RSS 2.0 (rssboard.org), Apple's
podcast tags (the itunes namespace) and the Podcasting 2.0 namespace (podcastindex.org,
`docs/1.0.md`), checked element by element on the XML.

No validator usable offline exists on the package registries (the W3C feed validator is a
web service; the registry packages either parse without validating or call a web service),
so the rules each tag's specification states are written here, independently of the code
that writes the feeds. `problems(xml)` lists every rule broken, as readable sentences."""

from __future__ import annotations

import re
import uuid
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from lxml import etree

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"

# Apple Podcasts categories (Apple Podcasts Connect), for the ones a test feed may use
APPLE = {"News": {"Business News", "Daily News", "Entertainment News", "News Commentary",
                  "Politics", "Sports News", "Tech News"},
         "Society & Culture": {"Documentary", "Personal Journals", "Philosophy",
                               "Places & Travel", "Relationships"},
         "Health & Fitness": {"Alternative Health", "Fitness", "Medicine", "Mental Health",
                              "Nutrition", "Sexuality"}}
# the Podcast Taxonomy Project's groups and some of their roles (podcast:person)
TAXONOMY = {"cast": {"host", "co-host", "guest host", "guest", "voice actor", "narrator",
                     "announcer", "reporter"},
            "writing": {"author", "editorial director", "co-writer", "writer", "editor",
                        "managing editor", "translator", "transcriber", "researcher"}}
MEDIUMS = {"podcast", "music", "video", "film", "audiobook", "newsletter", "blog", "publisher",
           "course", "mixed"} | {f"{m}L" for m in ("podcast", "music", "video", "film",
                                                     "audiobook", "newsletter", "blog",
                                                     "publisher", "course")}
TRANSCRIPT_TYPES = {"text/vtt", "application/x-subrip", "application/srt", "application/json",
                    "text/html", "text/plain"}
# the channel and item tags of the namespace (docs/1.0.md); anything else is a typo
PODCAST_CHANNEL = {"locked", "funding", "person", "location", "trailer", "license", "guid",
                   "value", "medium", "images", "image", "liveItem", "block", "txt",
                   "podroll", "updateFrequency", "podping", "remoteItem", "publisher", "chat"}
PODCAST_ITEM = {"transcript", "chapters", "soundbite", "person", "location", "season",
                "episode", "license", "alternateEnclosure", "value", "images", "image",
                "socialInteract", "txt", "chat", "contentLink"}
SPDX_LIKE = re.compile(r"^[A-Za-z0-9.+-]+$")


def _tag(name: str, ns: str) -> str:
    return f"{{{ns}}}{name}"


def _absolute(url: str | None) -> bool:
    parts = urlsplit(url or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _date(text: str | None) -> bool:
    try:
        when = parsedate_to_datetime(text or "")
    except (TypeError, ValueError, IndexError):
        return False
    return when.tzinfo is not None and bool(re.search(r"[+-]\d{4}$", text.strip()))


def _count(value: str | None) -> bool:
    return bool(value) and value.strip().isdigit() and int(value) > 0


def _yes_no(value: str | None) -> bool:
    return (value or "").strip().lower() in ("yes", "no")


def _persons(parent, where: str) -> list[str]:
    found = []
    for person in parent.findall(_tag("person", PODCAST)):
        group = (person.get("group") or "cast").lower()
        role = (person.get("role") or "host").lower()
        if not (person.text or "").strip() or len(person.text) > 128:
            found.append(f"{where}: podcast:person needs a name of at most 128 characters")
        if group not in TAXONOMY or role not in TAXONOMY[group]:
            found.append(f"{where}: podcast:person role {role!r} is not in group {group!r} of "
                         "the Podcast Taxonomy")
    return found


def _images(parent, where: str) -> list[str]:
    found = []
    for images in parent.findall(_tag("images", PODCAST)):
        for candidate in (images.get("srcset") or "").split(","):
            parts = candidate.split()
            if len(parts) != 2 or not _absolute(parts[0]) or not re.fullmatch(r"\d+w", parts[1]):
                found.append(f"{where}: podcast:images srcset entry {candidate!r} is not "
                             "\"URL WIDTHw\"")
    return found


def _namespace_tags(parent, allowed: set[str], where: str) -> list[str]:
    return [f"{where}: podcast:{etree.QName(child).localname} is not a tag of the namespace "
            "at this level" for child in parent
            if isinstance(child.tag, str) and etree.QName(child).namespace == PODCAST
            and etree.QName(child).localname not in allowed]


def channel_problems(channel, self_url: str | None) -> list[str]:
    found = []
    for name in ("title", "link", "description"):
        if not (channel.findtext(name) or "").strip():
            found.append(f"channel: <{name}> is required by RSS 2.0")
    if not _absolute(channel.findtext("link")):
        found.append("channel: <link> must be an absolute http(s) URL")
    language = channel.findtext("language")
    if language is not None and not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z]{2}|-\d{3})?", language):
        found.append(f"channel: language {language!r} is not an ISO 639 code")
    for name in ("lastBuildDate", "pubDate"):
        value = channel.findtext(name)
        if value is not None and not _date(value):
            found.append(f"channel: <{name}> {value!r} is not an RFC 822 date with an offset")
    image = channel.find("image")
    if image is not None:
        if not _absolute(image.findtext("url")):
            found.append("channel: <image><url> must be an absolute URL")
        if image.findtext("title") != channel.findtext("title") or \
                image.findtext("link") != channel.findtext("link"):
            found.append("channel: <image> title and link should be the channel's")
    selfs = [link for link in channel.findall(_tag("link", ATOM)) if link.get("rel") == "self"]
    if len(selfs) != 1 or selfs[0].get("type") != "application/rss+xml":
        found.append("channel: one <atom:link rel=\"self\" type=\"application/rss+xml\"> is "
                     "expected")
    elif self_url is not None and selfs[0].get("href") != self_url:
        found.append(f"channel: the self link is {selfs[0].get('href')}, not {self_url}")
    for link in channel.findall(_tag("link", ATOM)):
        if link.get("rel") == "hub" and not _absolute(link.get("href")):
            found.append("channel: the WebSub hub link must be an absolute URL")
    # Apple
    itunes_image = channel.find(_tag("image", ITUNES))
    if itunes_image is None or not re.search(r"\.(jpg|jpeg|png)$", itunes_image.get("href", "")):
        found.append("channel: itunes:image with a .jpg or .png href is required by Apple")
    categories = channel.findall(_tag("category", ITUNES))
    if not categories:
        found.append("channel: itunes:category is required by Apple")
    for category in categories:
        name = category.get("text")
        subs = [s.get("text") for s in category.findall(_tag("category", ITUNES))]
        if name not in APPLE or any(sub not in APPLE[name] for sub in subs):
            found.append(f"channel: itunes:category {name!r} {subs} is not Apple's")
    if channel.findtext(_tag("explicit", ITUNES)) not in ("true", "false"):
        found.append("channel: itunes:explicit must be true or false")
    if channel.findtext(_tag("type", ITUNES)) not in (None, "episodic", "serial"):
        found.append("channel: itunes:type must be episodic or serial")
    owner = channel.find(_tag("owner", ITUNES))
    if owner is not None and "@" not in (owner.findtext(_tag("email", ITUNES)) or ""):
        found.append("channel: itunes:owner needs an itunes:email")
    block = channel.findtext(_tag("block", ITUNES))
    if block is not None and block.strip().lower() != "yes":
        found.append("channel: itunes:block takes only Yes")
    # Podcasting 2.0
    found += _namespace_tags(channel, PODCAST_CHANNEL, "channel")
    guid = channel.findtext(_tag("guid", PODCAST))
    try:
        if guid is None or uuid.UUID(guid).version != 5:
            found.append("channel: podcast:guid must be a UUIDv5")
    except ValueError:
        found.append(f"channel: podcast:guid {guid!r} is not a UUID")
    locked = channel.find(_tag("locked", PODCAST))
    if locked is not None and not _yes_no(locked.text):
        found.append("channel: podcast:locked must be yes or no")
    for name in ("block",):
        for element in channel.findall(_tag(name, PODCAST)):
            if not _yes_no(element.text):
                found.append(f"channel: podcast:{name} must be yes or no")
    medium = channel.findtext(_tag("medium", PODCAST))
    if medium is not None and medium not in MEDIUMS:
        found.append(f"channel: podcast:medium {medium!r} is not a medium of the namespace")
    for txt in channel.findall(_tag("txt", PODCAST)):
        if not (txt.text or "") or len(txt.text) > 4000 or len(txt.get("purpose", "")) > 128:
            found.append("channel: podcast:txt holds 1 to 4000 characters, purpose at most 128")
    for funding in channel.findall(_tag("funding", PODCAST)):
        if not _absolute(funding.get("url")) or len(funding.text or "") > 128:
            found.append("channel: podcast:funding needs a url and at most 128 characters")
    for licence in channel.findall(_tag("license", PODCAST)):
        text = licence.text or ""
        if not text or len(text) > 128 or (not SPDX_LIKE.match(text)
                                           and not _absolute(licence.get("url"))):
            found.append("channel: podcast:license is an SPDX id, or a name with a url")
    found += _persons(channel, "channel") + _images(channel, "channel")
    return found


def item_problems(item, index: int) -> list[str]:
    where = f"item {index}"
    found = []
    if not (item.findtext("title") or item.findtext("description")):
        found.append(f"{where}: RSS 2.0 needs a title or a description")
    if not _date(item.findtext("pubDate")):
        found.append(f"{where}: <pubDate> must be an RFC 822 date with an offset")
    guid = item.find("guid")
    if guid is None or not (guid.text or "").strip():
        found.append(f"{where}: a <guid> is required (apps identify episodes by it)")
    elif guid.get("isPermaLink", "true") == "true" and not _absolute(guid.text):
        found.append(f"{where}: a permalink guid must be a URL (else isPermaLink=\"false\")")
    enclosures = item.findall("enclosure")
    if len(enclosures) != 1:
        found.append(f"{where}: exactly one <enclosure> is expected")
    for enclosure in enclosures:
        if not _absolute(enclosure.get("url")) or not _count(enclosure.get("length")) or \
                not re.fullmatch(r"audio/[a-z0-9.+-]+", enclosure.get("type") or ""):
            found.append(f"{where}: <enclosure> needs an absolute url, a length in bytes and "
                         "an audio type")
    duration = item.findtext(_tag("duration", ITUNES))
    if duration is None or not re.fullmatch(r"\d+|(\d+:)?\d{1,2}:\d{2}", duration):
        found.append(f"{where}: itunes:duration must be seconds or [HH:]MM:SS")
    if item.findtext(_tag("episodeType", ITUNES)) not in (None, "full", "trailer", "bonus"):
        found.append(f"{where}: itunes:episodeType must be full, trailer or bonus")
    for name in ("episode", "season"):
        for ns in (ITUNES, PODCAST):
            value = item.findtext(_tag(name, ns))
            if value is not None and not _count(value):
                found.append(f"{where}: {name} must be a whole number above 0")
    image = item.find(_tag("image", ITUNES))
    if image is not None and not re.search(r"\.(jpg|jpeg|png)$", image.get("href", "")):
        found.append(f"{where}: itunes:image must be a .jpg or .png")
    found += _namespace_tags(item, PODCAST_ITEM, where)
    for transcript in item.findall(_tag("transcript", PODCAST)):
        if not _absolute(transcript.get("url")) or \
                transcript.get("type") not in TRANSCRIPT_TYPES:
            found.append(f"{where}: podcast:transcript needs a url and a known type")
    for chapters in item.findall(_tag("chapters", PODCAST)):
        if not _absolute(chapters.get("url")) or \
                chapters.get("type") != "application/json+chapters":
            found.append(f"{where}: podcast:chapters needs a url and application/json+chapters")
    return found + _persons(item, where) + _images(item, where)


def problems(xml: bytes, self_url: str | None = None) -> list[str]:
    """Every rule the feed breaks (an empty list for a valid feed)."""
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != "rss" or root.get("version") != "2.0":
        return ["the root element must be <rss version=\"2.0\">"]
    channels = root.findall("channel")
    if len(channels) != 1:
        return ["RSS 2.0 has exactly one <channel>"]
    found = channel_problems(channels[0], self_url)
    items = channels[0].findall("item")
    for index, item in enumerate(items, start=1):
        found += item_problems(item, index)
    guids = [item.findtext("guid") for item in items]
    if len(set(guids)) != len(guids):
        found.append("two items share a guid")
    return found
