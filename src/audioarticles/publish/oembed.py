"""oEmbed (https://oembed.com/): what a CMS gets for a pasted episode URL.

One function builds the answer, `oembed`, for the static `oembed/<slug>.json` the build writes
beside each page (discovered from the page's `<link rel="alternate"
type="application/json+oembed">`, works on static hosting) and for the HTTP API's
`GET /oembed?url=…` (which finds the slug with `embed.slug_from_url` and honours
`maxwidth`/`maxheight`). The answer is a `rich` embed: the iframe and embed.js, which resizes
it."""

from __future__ import annotations

import json

from audioarticles.model import Episode
from audioarticles.publish.channel import Channel
from audioarticles.publish.embed import FRAME_HEIGHT, FRAME_WIDTH, iframe_snippet
from audioarticles.publish.feed import episode_byline, episode_page

#: how long consumers may cache an answer (seconds); the embed page itself is never cached
#: in it, so a corrected episode shows at once in the iframe
CACHE_AGE = 86_400


def oembed_path(episode: Episode) -> str:
    """Where the build writes the episode's static oEmbed answer, under output/."""
    return f"oembed/{episode.slug}.json"


def oembed(channel: Channel, episode: Episode, *, thumbnail: str = "", thumbnail_px: int = 0,
           maxwidth: int | None = None, maxheight: int | None = None) -> dict:
    """The oEmbed answer for `episode` (`thumbnail`: its picture, relative to output/, and its
    size in pixels on a side). `maxwidth`/`maxheight`, when a consumer sends them, bound the
    iframe (never below 1 pixel)."""
    width = FRAME_WIDTH if maxwidth is None else max(1, min(FRAME_WIDTH, int(maxwidth)))
    height = FRAME_HEIGHT if maxheight is None else max(1, min(FRAME_HEIGHT, int(maxheight)))
    answer = {
        "version": "1.0",
        "type": "rich",
        "title": episode.title,
        "author_name": episode_byline(episode, channel),
        "provider_name": channel.title,
        "provider_url": channel.link,
        "cache_age": CACHE_AGE,
        "width": width,
        "height": height,
        "html": iframe_snippet(channel, episode, width=width, height=height),
        "url": channel.url(episode_page(episode)),
    }
    if thumbnail and thumbnail_px:  # the three go together
        answer["thumbnail_url"] = channel.url(thumbnail)
        answer["thumbnail_width"] = answer["thumbnail_height"] = int(thumbnail_px)
    return answer


def oembed_json(answer: dict) -> str:
    """The answer as the static file holds it (UTF-8 JSON; `<` escaped so that no consumer
    that pastes it into a page can be tricked into closing a script)."""
    return json.dumps(answer, ensure_ascii=False, indent=1).replace("<", "\\u003c") + "\n"
