"""What an episode page tells the sites it is shared on, in its `<head>`: oEmbed discovery,
Open Graph and Twitter player tags, schema.org JSON-LD (`PodcastEpisode` with its
`AudioObject`).

Every URL is absolute (a crawler reads the page out of context); attribute values are
escaped; the JSON-LD is a data block whose `<`, `>` and `&` are written as JSON escapes, so no
title can close the script element."""

from __future__ import annotations

import json
from html import escape

from audioarticles.httputil import http_url
from audioarticles.model import Episode
from audioarticles.publish.channel import Channel
from audioarticles.publish.embed import FRAME_HEIGHT, FRAME_WIDTH, embed_page
from audioarticles.publish.feed import (
    episode_byline,
    episode_excerpt,
    episode_page,
    published_at,
)
from audioarticles.publish.oembed import oembed_path


def iso_duration(seconds: float) -> str:
    """ISO 8601 duration, as schema.org wants it: PT1H2M3S, PT4M5S, PT0S."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return text + (f"{secs}S" if secs or text == "PT" else "")


def json_ld(channel: Channel, episode: Episode, *, image: str, transcript: str,
            audio_bytes: int) -> dict:
    """The schema.org description of the episode (`image`: relative to output/)."""
    page = channel.url(episode_page(episode))
    audio = {
        "@type": "AudioObject",
        "contentUrl": channel.url(episode.mp3),
        "encodingFormat": "audio/mpeg",
        "duration": iso_duration(episode.duration_s),
        "embedUrl": channel.url(embed_page(episode)),
    }
    if audio_bytes:
        audio["contentSize"] = f"{audio_bytes / 1000:.0f} kB"
    if transcript:
        audio["transcript"] = transcript
    data = {
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "@id": page,
        "url": page,
        "name": episode.title,
        "datePublished": published_at(episode, channel).isoformat(),
        "duration": iso_duration(episode.duration_s),
        "inLanguage": episode.language or channel.language,
        "isAccessibleForFree": True,
        "author": {"@type": "Person" if episode.author.strip() else "Organization",
                   "name": episode_byline(episode, channel)},
        "image": channel.url(image),
        "associatedMedia": audio,
        "partOfSeries": {"@type": "PodcastSeries", "name": channel.title,
                         "url": channel.url("index.html"), "webFeed": channel.feed_url},
    }
    if excerpt := episode_excerpt(episode):
        data["description"] = excerpt
    if article := http_url(episode.url):
        data["isBasedOn"] = article
    return data


def script_json(data: dict) -> str:
    """JSON safe inside a `<script>` element."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def episode_head(channel: Channel, episode: Episode, *, image: str, transcript: str,
                 audio_bytes: int) -> str:
    """The tags for an episode page's `<head>`."""
    page = channel.url(episode_page(episode))
    title = escape(episode.title)
    description = escape(episode_excerpt(episode) or episode.title)
    picture = escape(channel.url(image))
    audio = escape(channel.url(episode.mp3))
    player = escape(channel.url(embed_page(episode)))
    tags = [
        f'<link rel="canonical" href="{escape(page)}">',
        f'<link rel="alternate" type="application/json+oembed" '
        f'href="{escape(channel.url(oembed_path(episode)))}" title="{title}">',
        '<meta property="og:type" content="website">',
        f'<meta property="og:title" content="{title}">',
        f'<meta property="og:description" content="{description}">',
        f'<meta property="og:url" content="{escape(page)}">',
        f'<meta property="og:site_name" content="{escape(channel.title)}">',
        f'<meta property="og:image" content="{picture}">',
        f'<meta property="og:audio" content="{audio}">',
        '<meta property="og:audio:type" content="audio/mpeg">',
        '<meta name="twitter:card" content="player">',
        f'<meta name="twitter:title" content="{title}">',
        f'<meta name="twitter:description" content="{description}">',
        f'<meta name="twitter:image" content="{picture}">',
        f'<meta name="twitter:player" content="{player}">',
        f'<meta name="twitter:player:width" content="{FRAME_WIDTH}">',
        f'<meta name="twitter:player:height" content="{FRAME_HEIGHT}">',
        f'<meta name="twitter:player:stream" content="{audio}">',
        '<meta name="twitter:player:stream:content_type" content="audio/mpeg">',
        '<script type="application/ld+json">' + script_json(json_ld(
            channel, episode, image=image, transcript=transcript,
            audio_bytes=audio_bytes)) + "</script>",
    ]
    return "\n".join(tags)
