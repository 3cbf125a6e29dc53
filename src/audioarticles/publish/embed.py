"""What a publisher pastes into an article to put the player there, and where it lives.

Two snippets, neither with inline JavaScript (WordPress strips `onclick` for authors, Drupal's
filtered formats strip it, a Content-Security-Policy without 'unsafe-inline' blocks it):

- the script embed (the default): `<div data-audioarticles="SLUG">` and the site's
  `player/embed.js`, which draws the player in the host page (in a shadow root) from the
  episode's data script `embed/<slug>.js`. A host page only has to allow our origin in
  `script-src` and `media-src`.
- the iframe: the episode's embed page `embed/<slug>.html`, resized by `embed.js` from the
  height the page posts (without the script it keeps its fixed height and scrolls inside).

Slugs are `[a-z0-9-]` (identity.slugify), so they need no escaping in URLs; every other
string is escaped."""

from __future__ import annotations

import json
import re
from html import escape
from importlib import resources
from urllib.parse import unquote, urlsplit

from audioarticles.model import Episode
from audioarticles.publish.channel import Channel

PLAYER_DIR = "player"
EMBED_SCRIPT = f"{PLAYER_DIR}/embed.js"
#: the iframe's height before it hears from its page (folded chapters and transcript, desktop
#: width); embed.js sets the real height from the page's messages
FRAME_HEIGHT = 240
FRAME_WIDTH = 720
FRAME_TITLE = "Lecteur audio : {title}"
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")


def embed_page(episode: Episode) -> str:
    """The episode's embeddable page (the iframe's document), under output/."""
    return f"embed/{episode.slug}.html"


def embed_data(episode: Episode) -> str:
    """The script holding what the script embed draws the player from, under output/."""
    return f"embed/{episode.slug}.js"


def script_snippet(channel: Channel, episode: Episode, *, readalong: bool = False) -> str:
    """The script embed: a placeholder the script fills; a link for readers without it.
    `readalong`: highlight the article's paragraph being read, and play from a clicked one."""
    page = escape(channel.url(f"episodes/{episode.slug}.html"))
    option = " data-readalong" if readalong else ""
    return (f'<div data-audioarticles="{escape(episode.slug)}"{option}>'
            f'<a href="{page}">Écouter l’article : {escape(episode.title)}</a></div>\n'
            f'<script src="{escape(channel.url(EMBED_SCRIPT))}" async></script>')


def iframe_snippet(channel: Channel, episode: Episode, *, width: int | str = "100%",
                   height: int = FRAME_HEIGHT, script: bool = True) -> str:
    """The iframe embed; `script`: with embed.js, which resizes it to its content."""
    title = escape(FRAME_TITLE.format(title=episode.title))
    frame = (f'<iframe src="{escape(channel.url(embed_page(episode)))}" title="{title}" '
             f'width="{escape(str(width))}" height="{int(height)}" frameborder="0" '
             f'loading="lazy" allow="autoplay" data-audioarticles-frame></iframe>')
    if script:
        frame += f'\n<script src="{escape(channel.url(EMBED_SCRIPT))}" async></script>'
    return frame


def slug_from_url(channel: Channel, url: str) -> str | None:
    """The slug of the episode an episode page, embed page or embed data URL on this site
    names (what `GET /oembed?url=` and the WordPress plugin are given), else None."""
    parts = urlsplit(str(url).strip())
    base = urlsplit(channel.base_url)
    if parts.scheme not in ("http", "https") or parts.netloc.lower() != base.netloc.lower():
        return None
    path = unquote(parts.path)
    if not path.startswith(base.path):
        return None
    relative = path[len(base.path):]
    for folder, suffixes in (("episodes/", (".html",)), ("embed/", (".html", ".js"))):
        if relative.startswith(folder):
            name = relative[len(folder):]
            for suffix in suffixes:
                stem = name.removesuffix(suffix)
                if name.endswith(suffix) and SLUG.fullmatch(stem):
                    return stem
    return None


def player_assets() -> dict[str, bytes]:
    """The files under player/: the site's script and style sheet, and embed.js, which
    carries both (a host page's policy may allow our scripts but not our style sheets: the
    style reaches the player's shadow root as a constructed style sheet)."""
    folder = resources.files("audioarticles").joinpath("player")
    script = folder.joinpath("player.js").read_text("utf-8")
    style = folder.joinpath("player.css").read_text("utf-8")
    loader = folder.joinpath("embed.js").read_text("utf-8")
    embed = loader.replace('"/* player.css */"', json.dumps(style)).replace(
        "/* player.js */", script)
    return {"player.js": script.encode("utf-8"), "player.css": style.encode("utf-8"),
            "embed.js": embed.encode("utf-8")}
